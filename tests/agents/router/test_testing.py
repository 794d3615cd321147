"""The sandboxed tests of constraint code: crashes, penalties that disagree with their checker and constant
checkers are caught on backbone, near-boundary, counterexample and random plans; a reference counts false accepts
and false rejects apart."""

from pathlib import Path

from corta.agents.router.programs import assemble
from corta.agents.router.testing import run_tests

CRASHES = """
def check_constraints(state):
    return all(len(route) < 9 or route[8] > 0 for route in state.routes) and 1 / (len(state.routes) - 2) > 0


def penalty(state):
    return 0.0 if check_constraints(state) else 1.0
"""

WRONG_PENALTY = """
def check_constraints(state):
    return any(5 in route and 7 in route for route in state.routes)


def penalty(state):
    return 1.0
"""

REJECTS_ALL = """
def check_constraints(state):
    return len(state.routes) > 100


def penalty(state):
    return 0.0 if check_constraints(state) else 1.0
"""

APART = "def check_constraints(solution):\n    return not any(7 in r and 8 in r for r in solution.routes)\n"


def test_free_form_code_that_crashes_disagrees_or_rejects_everything_fails(instance: Path) -> None:
    crash = run_tests(instance, assemble([], CRASHES), mentioned=[5, 7])
    assert not crash.passed and "ZeroDivisionError" in crash.summary() and "failed on" in crash.summary()
    wrong = run_tests(instance, assemble([], WRONG_PENALTY), mentioned=[5, 7])
    assert not wrong.passed and "penalty is 0 exactly when the checker passes on only" in wrong.summary()
    none = run_tests(instance, assemble([], REJECTS_ALL))
    assert not none.passed and "rejects all" in none.summary()


def test_a_vacuous_template_fails_a_hard_one_is_noted_and_a_reference_counts_both_errors(
    instance: Path,
) -> None:
    program = assemble(
        [
            ("distance_limit.max_length", {"max_length": 100000}),
            ("same_vehicle.together", {"groups": [[7, 8]]}),
        ]
    )
    test = run_tests(instance, program, mentioned=[7, 8], reference_code=APART)
    assert not test.passed and test.part_failures[1] == [] and "accepts all" in test.part_failures[0][0]
    assert test.summary().startswith("distance_limit.max_length: its checker accepts all")
    assert test.false_accepts and test.false_rejects and test.agrees is False
    hard = run_tests(instance, assemble([("capacity.limit", {"capacity": 1})]))
    assert hard.passed and "rejects all" in hard.notes[0]
