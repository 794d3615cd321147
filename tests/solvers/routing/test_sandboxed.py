"""The search with constraint code confined to the sandbox: reference checkers pass, bad code falls back."""

import json
from pathlib import Path

import pytest

from corta.solvers.routing.instance import read_instance
from corta.solvers.routing.sandboxed import solve_with_code
from corta.solvers.routing.verify import verify

ROUTBENCH = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "routing" / "routbench"
INSTANCE = ROUTBENCH / "instance data_25.txt"
SAME_ROUTE = "def check_constraints(solution):\n    return any(5 in r and 7 in r for r in solution.routes)\n"


def covers_everyone(routes, size=25):
    return sorted(c for route in routes for c in route) == list(range(1, size + 1))


def test_a_routbench_reference_checker_runs_with_the_search_in_the_sandbox():
    variant = json.loads((ROUTBENCH / "500_simple.json").read_text())[3]  # same vehicle + priority
    outcome = solve_with_code(INSTANCE, variant["code"], seconds=2, seed=0)
    assert outcome.feasible and outcome.violations == [] and outcome.constraint_code_failed is None
    assert covers_everyone(outcome.routes)
    assert verify(outcome.routes, read_instance(INSTANCE)) == []


def test_a_hand_written_checker_is_respected():
    outcome = solve_with_code(INSTANCE, SAME_ROUTE, seconds=2, seed=1)
    assert outcome.feasible and any(5 in route and 7 in route for route in outcome.routes)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("import os\ndef check_constraints(solution):\n    return True\n", "forbidden"),
        ("def check_constraints(solution:\n    return True\n", "syntax"),
        ("def check_constraints(solution):\n    while True:\n        pass\n", "timeout"),
    ],
)
def test_code_that_cannot_run_falls_back_to_a_base_feasible_plan(code, kind):
    outcome = solve_with_code(INSTANCE, code, seconds=1, seed=0)
    assert outcome.constraint_code_failed.startswith(f"constraint code failed ({kind})")
    assert not outcome.feasible and outcome.violations[0] == outcome.constraint_code_failed
    assert covers_everyone(outcome.routes)
    assert verify(outcome.routes, read_instance(INSTANCE)) == []


def test_a_checker_that_raises_is_counted_not_fatal():
    code = "def check_constraints(solution):\n    return solution.routes[99][0] > 0\n"
    outcome = solve_with_code(INSTANCE, code, seconds=1, seed=0)
    assert outcome.constraint_errors > 0 and "IndexError" in (outcome.first_constraint_error or "")
    assert covers_everyone(outcome.routes)
