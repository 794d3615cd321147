"""verify names every kind of violation in words, and agrees with RoutBench's checkers on time windows."""

import numpy as np
import pytest

from corta.solvers.routing.instance import ProblemData
from corta.solvers.routing.state import VrpState
from corta.solvers.routing.verify import Violation, verify

# The optimal plan of the standard part of RoutBench's C103 instance: feasible.
GOOD = [[13, 17, 18, 19, 15, 16, 14, 12], [7, 8, 10, 11, 9, 6, 4, 2, 1, 3, 5], [20, 24, 25, 23, 22, 21]]


def test_a_feasible_plan_has_no_violations(c103_25: ProblemData) -> None:
    assert verify(GOOD, c103_25) == []
    assert verify(VrpState(GOOD, c103_25), c103_25, checker=lambda state: True) == []


def test_coverage_violations(c103_25: ProblemData) -> None:
    plan = [
        [13, 17, 18, 19, 15, 16, 14, 12],
        [7, 8, 0, 10, 11, 9, 6, 4, 2, 1, 3, 5, 13],
        [20, 24, 25, 23, 22, 99],
        [],
    ]
    violations = verify(plan, c103_25)
    assert "customer 21 is not visited" in violations
    assert "customer 13 is visited 2 times (routes 1, 2)" in violations
    assert "route 2 visits the depot 0 inside the route" in violations
    assert "route 3 visits node 99, which does not exist" in violations
    assert "route 4 is empty" in violations


def test_capacity_violation_names_the_load(c103_25: ProblemData) -> None:
    heavy = [GOOD[0] + GOOD[2], GOOD[1]]  # 190 + 110 > 200
    violations = verify(heavy, c103_25)
    assert "route 1 carries 300 > capacity 200" in violations
    carried = next(v for v in violations if "carries" in v)
    assert isinstance(carried, Violation) and carried.nodes == (24,)  # the load passes 200 at customer 24


def test_time_window_violation_names_the_late_customer(c103_25: ProblemData) -> None:
    late = [[12, 13, 17, 18, 19, 15, 16, 14], *GOOD[1:]]  # 13 is due at 92, after serving 12 for 90
    violations = verify(late, c103_25)
    assert len(violations) == 1 and violations[0].startswith("route 1 reaches customer 13 at ")
    assert violations[0].endswith("> due 92") and violations[0].nodes == (13,)


def test_waiting_for_a_window_to_open_is_allowed(c103_25: ProblemData) -> None:
    # Customer 4 opens at 727: a vehicle that goes straight there waits, then serves it in time.
    assert verify([[4], *[[c for c in route if c != 4] for route in GOOD]], c103_25) == []


def test_too_many_vehicles(c103_25: ProblemData) -> None:
    single = [[customer] for customer in range(1, 26)]
    small_fleet = ProblemData(
        c103_25.edge_weight, c103_25.demand, 200, c103_25.time_window, c103_25.service_time, num_vehicles=3
    )
    assert verify(single, small_fleet) == ["the plan uses 25 vehicles > 3 available"]


@pytest.mark.parametrize(
    ("checker", "expected"),
    [
        (lambda state: False, "the constraint checker rejects the plan"),
        (lambda state: state.problem_data["no_such_key"], "the checker raised KeyError: 'no_such_key'"),
        (lambda state: "yes", "the checker returned str, not bool"),
    ],
)
def test_the_checkers_verdict_and_failures_are_reported(c103_25: ProblemData, checker, expected: str) -> None:
    assert verify(GOOD, c103_25, checker=checker) == [expected]


def test_time_windows_agree_with_routbench_checkers_plan_by_plan(
    c103_25: ProblemData, routbench_source
) -> None:
    """RoutBench's VRPTW block (variant 122, its priority block cut off) and verify judge 300 plans alike."""
    source = routbench_source(122).split("    # Priority Constraint")[0] + "    return True\n"
    namespace: dict = {"VrpState": VrpState}
    exec(source, namespace)
    check = namespace["check_constraints"]
    rng = np.random.default_rng(0)
    verdicts = []
    for _ in range(300):
        plan = [route[:] for route in GOOD]
        for _ in range(int(rng.integers(0, 3))):  # move a random customer to a random place
            source_route = plan[int(rng.integers(len(plan)))]
            customer = source_route.pop(int(rng.integers(len(source_route))))
            target = plan[int(rng.integers(len(plan)))]
            target.insert(int(rng.integers(len(target) + 1)), customer)
        plan = [route for route in plan if route]
        late = any("reaches" in violation for violation in verify(plan, c103_25))
        verdicts.append(check(VrpState(plan, c103_25)))
        assert verdicts[-1] is not late
    assert 30 < sum(verdicts) < 270  # both verdicts are exercised
