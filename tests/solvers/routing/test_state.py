"""VrpState: distance, copies, the objective alns minimises, and the evaluation behind it."""

import pytest

from corta.solvers.routing.evaluator import Evaluator
from corta.solvers.routing.instance import ProblemData
from corta.solvers.routing.state import VrpState

# A feasible plan for RoutBench's C103 instance (3 routes, 190.74), and one with two routes over capacity.
GOOD = [[13, 17, 18, 19, 15, 16, 14, 12], [7, 8, 10, 11, 9, 6, 4, 2, 1, 3, 5], [20, 24, 25, 23, 22, 21]]
HEAVY = [[13, 17, 18, 19, 15, 16, 14, 12, 5, 3], [7, 8, 10, 11, 9, 6, 4, 2, 1, 20, 24, 25, 23, 22, 21]]


def test_cost_is_the_distance_with_the_depot_at_both_ends(a_n32: ProblemData) -> None:
    weights = a_n32["edge_weight"]
    state = VrpState([[21, 31], [5]], a_n32)
    expected = weights[0][21] + weights[21][31] + weights[31][0] + weights[0][5] + weights[5][0]
    assert state.cost() == pytest.approx(expected)


def test_copy_is_independent_and_shares_the_data(c103_25: ProblemData) -> None:
    state = VrpState([route[:] for route in GOOD], c103_25, unassigned=[])
    clone = state.copy()
    clone.routes[0].append(clone.routes[1].pop())
    clone.unassigned.append(99)
    assert state.routes == GOOD and state.unassigned == []
    assert clone.problem_data is state.problem_data


def test_objective_adds_weighted_violations_to_the_distance(c103_25: ProblemData) -> None:
    good, heavy = VrpState(GOOD, c103_25), VrpState(HEAVY, c103_25)
    assert good.evaluation().feasible and good.objective() == pytest.approx(good.cost())
    assert good.cost() == pytest.approx(190.7376, abs=1e-3)
    violations = heavy.evaluation().violations
    assert violations["capacity"] == 10 + 50  # loads 210 and 250 against capacity 200
    assert violations["time_window"] > 0
    assert heavy.objective() > heavy.cost() + 60 * heavy.ensure_evaluator().weights["capacity"] - 1e-9


def test_the_evaluation_follows_in_place_edits(c103_25: ProblemData) -> None:
    state = VrpState([route[:] for route in GOOD], c103_25, evaluator=Evaluator(c103_25))
    assert state.evaluation().feasible
    state.unassigned.append(state.routes[0].pop())
    assert state.evaluation().violations["coverage"] == 1  # an unassigned customer is not served
    state.routes[0].append(state.unassigned.pop())
    assert state.evaluation().feasible


def test_a_checker_reads_the_state_like_routbench(c103_25: ProblemData) -> None:
    def check_constraints(solution: VrpState) -> bool:
        return all(
            sum(solution.problem_data["demand"][node] for node in route) <= solution.problem_data["capacity"]
            for route in solution.routes
        )

    assert check_constraints(VrpState(GOOD, c103_25)) and not check_constraints(VrpState(HEAVY, c103_25))
