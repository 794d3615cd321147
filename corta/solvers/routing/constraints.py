"""Constraint code from outside (LLM-written, RoutBench's reference checkers), called so that it cannot stop a search.

A checker is `check_constraints(state) -> bool` (True: the plan satisfies the side constraints); a penalty is
`penalty(state) -> float`, a graded violation that is 0 exactly when the plan is feasible. Whatever such code does
wrong — raise, return a string, a negative or NaN penalty — the plan counts as infeasible and the failure is counted.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

Check = Callable[[Any], Any]
Penalty = Callable[[Any], Any]
# What a plan's penalty counts as when the penalty code fails on it: one unit, which the adaptive weight scales.
FAILED_PENALTY = 1.0


@dataclass
class ConstraintErrors:
    """How often the constraint code failed on complete plans, and the first failure in words."""

    count: int = 0
    first: str | None = None

    def record(self, what: str) -> None:
        self.count += 1
        if self.first is None:
            self.first = what


@dataclass
class GeneratedConstraints:
    """A checker and/or a penalty, guarded; failures on complete plans are counted in `errors`."""

    check: Check | None = None
    penalty: Penalty | None = None

    def __post_init__(self) -> None:
        self.errors = ConstraintErrors()

    def passes(self, state: Any, record: bool = True) -> bool:
        """The checker's verdict; False when there is no checker answer (it raised or returned a non-bool)."""
        if self.check is None:
            return True
        verdict, problem = call_checker(self.check, state)
        if problem and record:
            self.errors.record(problem)
        return bool(verdict)

    def violation(self, state: Any, record: bool = True) -> float:
        """The penalty's value; `FAILED_PENALTY` when it raised or returned a negative or non-finite number."""
        if self.penalty is None:
            return 0.0
        value, problem = call_penalty(self.penalty, state)
        if problem and record:
            self.errors.record(problem)
        return FAILED_PENALTY if value is None else value


def call_checker(check: Check, state: Any) -> tuple[bool | None, str | None]:
    """(verdict, None) for a bool answer, else (None, what went wrong in words)."""
    try:
        verdict = check(state)
    except (
        Exception
    ) as error:  # untrusted code: any failure is a verdict on the code, not a crash of the search
        return None, f"the checker raised {_describe(error)}"
    if isinstance(verdict, bool | np.bool_):
        return bool(verdict), None
    return None, f"the checker returned {type(verdict).__name__}, not bool"


def call_penalty(penalty: Penalty, state: Any) -> tuple[float | None, str | None]:
    """(value, None) for a finite number ≥ 0, else (None, what went wrong in words)."""
    try:
        value = penalty(state)
    except Exception as error:  # untrusted code, as in call_checker
        return None, f"the penalty raised {_describe(error)}"
    if isinstance(value, bool) or not isinstance(value, Real):
        return None, f"the penalty returned {type(value).__name__}, not a number"
    value = float(value)
    if not math.isfinite(value) or value < 0:
        return None, f"the penalty returned {value}; it must be finite and ≥ 0"
    return value, None


def _describe(error: Exception) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__
