"""Greedy insertion with blinks, the recreate of SISR (Christiaens & Vanden Berghe 2020, §4.2).

The unassigned customers are sorted (at random, by decreasing demand, farthest from the depot first or closest
first, with odds 4 : 4 : 2 : 1) and each goes to its cheapest position, where every position is skipped ("blinked")
with probability 1 %: a little noise that keeps the repair from always rebuilding the same routes.
"""

import numpy as np

from corta.solvers.routing.operators.insertion import InsertionTables
from corta.solvers.routing.state import VrpState

BLINK_RATE = 0.01
ORDER_ODDS = np.array([4.0, 4.0, 2.0, 1.0])


def greedy_insertion(state: VrpState, rng: np.random.Generator, **_: object) -> VrpState:
    evaluator = state.ensure_evaluator()
    repaired = state.copy()
    tables = InsertionTables(evaluator, repaired.routes)
    pending = sorted(repaired.unassigned)
    order = int(rng.choice(len(ORDER_ODDS), p=ORDER_ODDS / ORDER_ODDS.sum()))
    if order == 0:
        pending = [pending[i] for i in rng.permutation(len(pending))]
    elif order == 1:
        pending.sort(key=lambda customer: -evaluator.demand[customer])
    else:
        pending.sort(key=lambda customer: evaluator.dist[0][customer], reverse=order == 2)
    for customer in pending:
        options = tables.options(customer)
        kept = [
            option
            for option, draw in zip(options, rng.random(len(options)), strict=True)
            if draw >= BLINK_RATE
        ]
        _, index, position = tables.pick(customer, kept or options)
        tables.insert(customer, index, position)
    repaired.unassigned = []
    return repaired
