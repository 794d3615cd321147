"""Worst removal (Ropke & Pisinger 2006, §3.1.3): take out the customers whose detours cost most.

Customers are ranked by what their removal saves; the y^p-th of the ranking is taken (y uniform in [0, 1), p = 3),
so the worst are likely but not certain, and the savings are recomputed after each removal.
"""

import numpy as np

from corta.solvers.routing.evaluator import Evaluator
from corta.solvers.routing.operators.removal import assigned_customers, removal_count, remove_customers
from corta.solvers.routing.state import VrpState

RANDOMNESS = 3.0


def worst_removal(state: VrpState, rng: np.random.Generator, **_: object) -> VrpState:
    evaluator = state.ensure_evaluator()
    count = min(len(assigned_customers(state)), removal_count(len(assigned_customers(state)), rng))
    routes = [route[:] for route in state.routes]
    taken: list[int] = []
    for _ in range(count):
        ranked = sorted(_savings(routes, evaluator), reverse=True)
        _, route_index, position = ranked[int(rng.random() ** RANDOMNESS * len(ranked))]
        taken.append(routes[route_index].pop(position))
    return remove_customers(state, taken)


def _savings(routes: list[list[int]], evaluator: Evaluator) -> list[tuple[float, int, int]]:
    dist = evaluator.dist
    savings = []
    for route_index, route in enumerate(routes):
        for position, customer in enumerate(route):
            before = route[position - 1] if position else 0
            after = route[position + 1] if position + 1 < len(route) else 0
            saving = dist[before][customer] + dist[customer][after] - dist[before][after]
            savings.append((saving, route_index, position))
    return savings
