"""String removal, the ruin of SISR (Christiaens & Vanden Berghe 2020, "Slack induction by string removals").

From a random seed customer, walk its nearest neighbours; from each not yet touched route take out a string of
consecutive customers containing the neighbour (or, half of the time, a "split string": a longer window from which
a block of m customers is kept). The strings sit next to each other in space, so the repair can re-thread them.
Parameters follow the paper (c̄ = 10 removed on average, strings of at most L_max = 10, β = 0.01), with c̄ scaled
down for small instances.
"""

import numpy as np

from corta.solvers.routing.operators.removal import remove_customers
from corta.solvers.routing.state import VrpState

AVERAGE_REMOVED, LONGEST_STRING = 10.0, 10
SPLIT_RATE, SPLIT_DEPTH = 0.5, 0.01


def string_removal(state: VrpState, rng: np.random.Generator, **_: object) -> VrpState:
    evaluator = state.ensure_evaluator()
    routes = [route for route in state.routes if route]
    routed = sum(map(len, routes))
    average_removed = min(AVERAGE_REMOVED, max(2.0, 0.15 * routed))
    longest = min(float(LONGEST_STRING), routed / len(routes))
    most_strings = max(1.0, 4 * average_removed / (1 + longest) - 1)
    strings = int(rng.uniform(1, most_strings + 1))
    route_of = {customer: index for index, route in enumerate(routes) for customer in route}
    seed = int(rng.choice(list(route_of)))
    taken: list[int] = []
    touched: set[int] = set()
    for customer in (seed, *evaluator.neighbours[seed]):
        if len(touched) >= strings:
            break
        index = route_of.get(customer)
        if index is None or index in touched:
            continue
        route = routes[index]
        length = int(rng.uniform(1, min(len(route), longest) + 1))
        if rng.random() < SPLIT_RATE and length < len(route):
            taken.extend(_split_string(route, route.index(customer), length, rng))
        else:
            taken.extend(_window(route, route.index(customer), length, rng))
        touched.add(index)
    return remove_customers(state, taken)


def _window(route: list[int], position: int, length: int, rng: np.random.Generator) -> list[int]:
    """A random run of `length` consecutive customers of `route` that contains `route[position]`."""
    first = int(rng.integers(max(0, position - length + 1), min(position, len(route) - length) + 1))
    return route[first : first + length]


def _split_string(route: list[int], position: int, length: int, rng: np.random.Generator) -> list[int]:
    kept = 1
    while length + kept < len(route) and rng.random() > SPLIT_DEPTH:
        kept += 1
    window = _window(route, position, length + kept, rng)
    start = int(rng.integers(0, length + 1))
    return window[:start] + window[start + kept :]
