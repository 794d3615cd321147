"""The ALNS backbone: feasible plans, side constraints from code, misbehaving code, reproducibility."""

import numpy as np
import pytest

from corta.solvers.routing.backbone import solve
from corta.solvers.routing.instance import ProblemData
from corta.solvers.routing.state import VrpState
from corta.solvers.routing.verify import verify

C103_25_OPTIMUM = 190.7376  # the standard part (capacity, time windows) of RoutBench's instance


def together(first: int, second: int):
    def check_constraints(solution: VrpState) -> bool:
        return any(first in route and second in route for route in solution.routes)

    return check_constraints


def test_finds_a_feasible_plan_with_capacity_and_time_windows_in_3_seconds(c103_25: ProblemData) -> None:
    result = solve(c103_25, seconds=3.0, seed=0)
    assert result.feasible and result.violations == [] and verify(result.routes, c103_25) == []
    assert result.seconds <= 3.5 and result.best_found_at <= result.seconds
    assert result.cost == pytest.approx(C103_25_OPTIMUM, rel=0.01) and result.iterations > 0


def test_without_pyvrp_the_search_builds_its_own_plan(a_n32: ProblemData) -> None:
    result = solve(a_n32, max_iterations=300, seed=0, seed_with_pyvrp=False)
    assert result.feasible and not result.seeded
    assert result.cost <= 784 * 1.03  # the optimum is 784


@pytest.mark.parametrize("seed_with_pyvrp", [True, False])
def test_a_hand_written_checker_is_respected(c103_25: ProblemData, seed_with_pyvrp: bool) -> None:
    check = together(13, 23)  # 13 opens at 30, 23 at 732: apart in the optimal plan
    result = solve(c103_25, check=check, max_iterations=300, seed=1, seed_with_pyvrp=seed_with_pyvrp)
    assert result.feasible and any(13 in route and 23 in route for route in result.routes)
    assert verify(result.routes, c103_25, check) == [] and result.cost > C103_25_OPTIMUM


def test_a_penalty_alone_guides_the_search(c103_25: ProblemData) -> None:
    def apart(solution: VrpState) -> float:  # 5 and 7 share a route in the optimal plan
        return float(sum(5 in route and 7 in route for route in solution.routes))

    result = solve(c103_25, penalty=apart, max_iterations=200, seed=2)
    assert result.feasible and not any(5 in route and 7 in route for route in result.routes)


def test_routbench_reference_checkers_are_satisfied(c103_25: ProblemData, routbench_checker) -> None:
    # 24: mixed pickup and delivery with a second kind of goods, 13 before 23 on one route, 8 among the first three
    # stops of a route; 106: one route must also fit its windows when it starts at 300, 13 and 23 on one route,
    # 5 and 7 first on their routes.
    for index in (24, 106):
        check = routbench_checker(index)
        result = solve(c103_25, check=check, max_iterations=150, seed=0)
        assert result.feasible, (index, result.violations)
        assert check(VrpState(result.routes, c103_25)) is True


def raises_on_1_and_2_together(solution: VrpState) -> bool:
    if any(1 in route and 2 in route for route in solution.routes):  # together in the optimal plan
        raise IndexError("list index out of range")
    return True


def answers_1_when_1_and_2_are_together(solution: VrpState) -> bool:
    return 1 if any(1 in route and 2 in route for route in solution.routes) else True  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (raises_on_1_and_2_together, "the checker raised IndexError: list index out of range"),
        (answers_1_when_1_and_2_are_together, "the checker returned int, not bool"),
    ],
)
def test_misbehaving_checkers_count_as_infeasible_and_are_reported(
    c103_25: ProblemData, check, message: str
) -> None:
    result = solve(c103_25, check=check, max_iterations=100, seed=3)
    assert result.feasible and not any(1 in route and 2 in route for route in result.routes)
    assert result.constraint_errors > 0 and result.first_constraint_error == message


def test_a_checker_that_always_raises_leaves_no_feasible_plan(c103_25: ProblemData) -> None:
    def broken(solution: VrpState) -> bool:
        raise RuntimeError("boom")

    result = solve(c103_25, check=broken, max_iterations=30, seed=0)
    assert not result.feasible and result.violations == ["the checker raised RuntimeError: boom"]
    assert (
        result.constraint_errors >= 30
        and result.first_constraint_error == "the checker raised RuntimeError: boom"
    )


def test_same_seed_and_iteration_budget_give_the_same_plan(c103_25: ProblemData) -> None:
    check = together(13, 23)
    first, second = (solve(c103_25, check=check, max_iterations=60, seed=7) for _ in range(2))
    assert (
        first.routes == second.routes
        and first.cost == second.cost
        and first.iterations == second.iterations == 60
    )


def test_a_vrplib_dict_and_a_single_customer_are_fine() -> None:
    data = {"edge_weight": np.array([[0, 3], [4, 0]]), "demand": np.array([0, 5]), "capacity": 10}
    result = solve(data, max_iterations=5)
    assert result.routes == [[1]] and result.cost == 7 and result.feasible


def test_bad_budgets_are_refused(c103_25: ProblemData) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        solve(c103_25, seconds=0)
    with pytest.raises(ValueError, match="must be positive"):
        solve(c103_25, max_iterations=0)
