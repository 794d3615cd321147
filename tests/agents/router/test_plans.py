"""Test plans: counterexamples move the named nodes where constraints on them bite, and stay valid plans."""

import random

from corta.agents.router.plans import counterexamples, neighbours, random_plan

PLAN = [[1, 2, 3], [4, 5], [6, 7, 8]]


def every_customer_once(plan: list[list[int]], customers: int = 8) -> bool:
    return sorted(node for route in plan for node in route) == list(range(1, customers + 1)) and all(plan)


def test_counterexamples_put_named_nodes_together_apart_first_and_last() -> None:
    found = counterexamples(PLAN, [2, 7, 99])
    assert all(every_customer_once(plan) for plan in found) and PLAN not in found
    together = [
        plan
        for plan in found
        if any(route[i : i + 2] in ([2, 7], [7, 2]) for route in plan for i in range(len(route)))
    ]
    assert len(together) == 2  # consecutive, in both orders
    assert any([7] in plan for plan in found) and any([2] in plan for plan in found)  # alone on a route
    assert any(route[0] == 2 for plan in found for route in plan if 2 in route)
    assert any(route[-1] == 7 for plan in found for route in plan if 7 in route)


def test_random_plans_and_neighbours_keep_every_customer_once() -> None:
    rng = random.Random(3)
    plans = [random_plan(rng, 8) for _ in range(20)]
    plans += neighbours(rng, PLAN, 30)
    assert all(every_customer_once(plan) for plan in plans)
    assert len(neighbours(rng, [[1]], 5)) <= 5  # a one-customer plan has few neighbours; no endless loop
