"""Regret-k insertion (Potvin & Rousseau 1993; Ropke & Pisinger 2006, §3.2.2).

Each round inserts the customer that would lose most by waiting: the largest sum over its 2nd..k-th best routes of
(cost there − cost in its best route), ties to the cheaper best cost. Per-route best costs are cached and only the
route that changed is recomputed. Regret-2 and regret-3 are two settings of the one function.
"""

from functools import partial

import numpy as np

from corta.solvers.routing.operators.insertion import InsertionTables, Option
from corta.solvers.routing.state import VrpState


def regret_insertion(state: VrpState, rng: np.random.Generator, k: int = 2, **_: object) -> VrpState:
    evaluator = state.ensure_evaluator()
    repaired = state.copy()
    tables = InsertionTables(evaluator, repaired.routes)
    pending = [repaired.unassigned[i] for i in rng.permutation(len(repaired.unassigned))]
    best = {
        customer: [_route_best(tables, customer, i) for i in range(len(tables.routes))]
        for customer in pending
    }
    while pending:
        chosen = max(pending, key=lambda customer: _regret(tables, customer, best[customer], k))
        options = [o for i in range(len(tables.routes)) for o in tables.route_options(chosen, i)]
        _, index, position = tables.pick(chosen, [*options, tables.new_route_option(chosen)])
        opened = index == len(tables.routes)
        tables.insert(chosen, index, position)
        pending.remove(chosen)
        del best[chosen]
        for customer in pending:
            if opened:
                best[customer].append(_route_best(tables, customer, index))
            else:
                best[customer][index] = _route_best(tables, customer, index)
    repaired.unassigned = []
    return repaired


regret2_insertion = partial(regret_insertion, k=2)
regret3_insertion = partial(regret_insertion, k=3)


def _route_best(tables: InsertionTables, customer: int, index: int) -> Option:
    return min(tables.route_options(customer, index))


def _regret(tables: InsertionTables, customer: int, best: list[Option], k: int) -> tuple[float, float]:
    costs = sorted([option[0] for option in best] + [tables.new_route_option(customer)[0]])
    costs += [costs[-1]] * (k - len(costs))
    return (sum(cost - costs[0] for cost in costs[1:k]), -costs[0])
