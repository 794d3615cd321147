"""Destroy, repair and local search operators keep every customer exactly once, and price moves correctly."""

import numpy as np
import pytest

from corta.solvers.routing.evaluator import Evaluator
from corta.solvers.routing.instance import ProblemData
from corta.solvers.routing.operators import DESTROY_OPERATORS, REPAIR_OPERATORS, local_search
from corta.solvers.routing.operators.insertion import InsertionTables
from corta.solvers.routing.state import VrpState


def random_plan(data: ProblemData, rng: np.random.Generator, routes: int = 5) -> VrpState:
    customers = (rng.permutation(len(data.demand) - 1) + 1).tolist()
    cuts = sorted(rng.choice(np.arange(1, len(customers)), size=routes - 1, replace=False).tolist())
    plan = [customers[a:b] for a, b in zip([0, *cuts], [*cuts, len(customers)], strict=True)]
    return VrpState(plan, data, evaluator=Evaluator(data))


def served(state: VrpState) -> list[int]:
    return sorted(customer for route in state.routes for customer in route)


@pytest.mark.parametrize("name", DESTROY_OPERATORS)
def test_destroy_moves_customers_to_unassigned_and_leaves_the_state_alone(
    name: str, c103_25: ProblemData
) -> None:
    rng = np.random.default_rng(3)
    for routes in (1, 2, 5, 12):
        state = random_plan(c103_25, rng, routes)
        before = [route[:] for route in state.routes]
        destroyed = DESTROY_OPERATORS[name](state, rng)
        assert state.routes == before
        assert 1 <= len(destroyed.unassigned) < 25
        assert sorted(served(destroyed) + destroyed.unassigned) == list(range(1, 26))
        assert all(destroyed.routes)


@pytest.mark.parametrize("name", REPAIR_OPERATORS)
def test_repair_inserts_every_unassigned_customer_once(name: str, c103_25: ProblemData) -> None:
    rng = np.random.default_rng(4)
    for destroy in DESTROY_OPERATORS.values():
        destroyed = destroy(random_plan(c103_25, rng), rng)
        repaired = REPAIR_OPERATORS[name](destroyed, rng)
        assert repaired.unassigned == [] and served(repaired) == list(range(1, 26))
        assert destroyed.unassigned  # the destroyed state is left as it was


@pytest.mark.parametrize("name", REPAIR_OPERATORS)
def test_repair_builds_a_feasible_plan_from_nothing(name: str, c103_25: ProblemData) -> None:
    empty = VrpState([], c103_25, list(range(1, 26)), Evaluator(c103_25))
    assert REPAIR_OPERATORS[name](empty, np.random.default_rng(0)).evaluation().feasible


def test_local_search_keeps_customers_and_never_worsens(c103_25: ProblemData, a_n32: ProblemData) -> None:
    rng = np.random.default_rng(5)
    for data in (c103_25, a_n32):
        for _ in range(5):
            state = random_plan(data, rng)
            improved = local_search(state, rng)
            assert served(improved) == list(range(1, len(data.demand)))
            assert improved.objective() < state.objective()
            assert local_search(improved, rng).objective() == pytest.approx(improved.objective())


def test_insertion_costs_match_the_change_of_the_objective(c103_25: ProblemData) -> None:
    """Time-warp segments price an insertion exactly as re-evaluating the route would."""
    rng = np.random.default_rng(6)
    state = random_plan(c103_25, rng, routes=4)
    evaluator = state.ensure_evaluator()
    customer = state.routes[0].pop()
    weights = evaluator.weights

    def route_cost(route: list[int]) -> float:
        excess = max(0.0, evaluator.route_load(route) - evaluator.capacity)
        return (
            evaluator.route_distance(route)
            + weights["capacity"] * excess
            + weights["time_window"] * evaluator.route_time_warp(route)
        )

    tables = InsertionTables(evaluator, [route[:] for route in state.routes])
    options = tables.options(customer)
    for cost, index, position in options[:-1]:
        route = state.routes[index]
        changed = [*route[:position], customer, *route[position:]]
        assert cost == pytest.approx(route_cost(changed) - route_cost(route), abs=1e-9)
    assert options[-1][1] == len(state.routes)  # the last option opens a new route
