"""Constraint code is called so that nothing it does can stop a search; its failures are counted."""

import math

import numpy as np
import pytest

from corta.solvers.routing.constraints import FAILED_PENALTY, GeneratedConstraints, call_checker, call_penalty


def test_bool_verdicts_pass_through_and_numpy_bools_count_as_bools() -> None:
    assert call_checker(lambda state: True, None) == (True, None)
    assert call_checker(lambda state: np.int64(3) > 4, None) == (False, None)


@pytest.mark.parametrize(
    ("checker", "problem"),
    [
        (lambda state: 1 / 0, "the checker raised ZeroDivisionError: division by zero"),
        (lambda state: None, "the checker returned NoneType, not bool"),
        (lambda state: 1, "the checker returned int, not bool"),
    ],
)
def test_bad_checkers_give_no_verdict_and_say_why(checker, problem: str) -> None:
    assert call_checker(checker, None) == (None, problem)


@pytest.mark.parametrize(
    ("penalty", "problem"),
    [
        (lambda state: -1.0, "the penalty returned -1.0; it must be finite and ≥ 0"),
        (lambda state: math.nan, "the penalty returned nan; it must be finite and ≥ 0"),
        (lambda state: "high", "the penalty returned str, not a number"),
        (lambda state: [][0], "the penalty raised IndexError: list index out of range"),
    ],
)
def test_bad_penalties_give_no_value_and_say_why(penalty, problem: str) -> None:
    assert call_penalty(penalty, None) == (None, problem)


def test_failures_count_as_infeasible_and_only_recorded_calls_are_counted() -> None:
    constraints = GeneratedConstraints(check=lambda state: state["x"], penalty=lambda state: state["y"])
    assert constraints.passes({"x": True}) and constraints.violation({"y": 2}) == 2.0
    assert not constraints.passes({}, record=False)
    assert constraints.errors.count == 0
    assert not constraints.passes({}) and constraints.violation({}) == FAILED_PENALTY
    assert constraints.errors.count == 2 and constraints.errors.first == "the checker raised KeyError: 'x'"
