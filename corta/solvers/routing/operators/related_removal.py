"""Related (Shaw) removal (Shaw 1998; Ropke & Pisinger 2006, §3.1.2): take out customers that resemble each other.

Relatedness of i and j: 9·d(i,j)/max d + 3·|ready_i − ready_j|/horizon + 2·|q_i − q_j|/max q (lower is more
related). Starting from a random customer, each step picks a removed customer at random and takes the y^p-th most
related customer still routed (y uniform in [0, 1), p = 6): similar customers are easy to exchange.
"""

import numpy as np

from corta.solvers.routing.operators.removal import assigned_customers, removal_count, remove_customers
from corta.solvers.routing.state import VrpState

DISTANCE_WEIGHT, TIME_WEIGHT, DEMAND_WEIGHT = 9.0, 3.0, 2.0
RANDOMNESS = 6.0


def related_removal(state: VrpState, rng: np.random.Generator, **_: object) -> VrpState:
    evaluator = state.ensure_evaluator()
    routed = assigned_customers(state)
    count = min(len(routed), removal_count(len(routed), rng))
    longest = max(map(max, evaluator.dist)) or 1.0
    horizon = (max(evaluator.due) - min(evaluator.ready)) or 1.0
    heaviest = max(evaluator.demand) or 1.0
    dist, ready, demand = evaluator.dist, evaluator.ready, evaluator.demand

    def relatedness(i: int, j: int) -> float:
        return (
            DISTANCE_WEIGHT * dist[i][j] / longest
            + TIME_WEIGHT * abs(ready[i] - ready[j]) / horizon
            + DEMAND_WEIGHT * abs(demand[i] - demand[j]) / heaviest
        )

    taken = [routed[int(rng.integers(len(routed)))]]
    remaining = set(routed) - set(taken)
    while len(taken) < count:
        anchor = taken[int(rng.integers(len(taken)))]
        ranked = sorted(remaining, key=lambda other: (relatedness(anchor, other), other))
        chosen = ranked[int(rng.random() ** RANDOMNESS * len(ranked))]
        taken.append(chosen)
        remaining.discard(chosen)
    return remove_customers(state, taken)
