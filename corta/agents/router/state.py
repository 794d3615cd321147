"""The router graph's state: the description and instance, the constraints as read, and every code version."""

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypedDict

from corta.agents.router.fill import Constraint
from corta.agents.router.parse import Parsed
from corta.agents.router.programs import Program
from corta.agents.router.testing import CodeTest
from corta.solvers.routing.sandboxed import RouteOutcome


@dataclass
class CodeVersion:
    """One program the agent built (None: no constraint code, the base problem), its tests, and what the search
    made of it: the plan, and each part's verdict and penalty on that plan."""

    round: int
    program: Program | None
    constraints: list[dict[str, Any]]
    owners: list[int | None]  # per part of the program: the index of its constraint (None: free-form code)
    free_form: bool = False  # free-form code was asked for (it may have been left out: not Python)
    test: CodeTest | None = None
    outcome: RouteOutcome | None = None
    parts: list[tuple[bool, float | None]] | None = None
    seconds: float = 0.0
    seed: int = 0

    def again(self, round_number: int) -> "CodeVersion":
        """The same program and tests, to be solved again."""
        return replace(self, round=round_number, outcome=None, parts=None)

    def free_form_failed(self) -> bool:
        """Whether free-form code was asked for and failed its tests (or could not be part of the program)."""
        if not self.free_form or self.test is None or self.test.passed:
            return False
        free_parts = [part for part, owner in enumerate(self.owners) if owner is None]
        return bool(self.test.failures) or any(self.test.part_failures[part] for part in free_parts)

    def violated(self) -> list[int]:
        """Indices of the parts the plan breaks."""
        return [index for index, (passes, _) in enumerate(self.parts or []) if not passes]

    def as_record(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "constraints": self.constraints,
            "code": None
            if self.program is None
            else {"check_constraints": self.program.check, "penalty": self.program.penalty},
            "test": None if self.test is None else self.test.as_record(),
            "feasible": None if self.outcome is None else self.outcome.feasible,
            "cost": None if self.outcome is None else self.outcome.cost,
            "violated": [self.program.parts[index].label for index in self.violated()]
            if self.program
            else [],
        }


class RouterState(TypedDict, total=False):
    description: str
    instance_path: Path
    seconds: float
    seed: int
    max_rounds: int
    data: Any  # the instance (ProblemData)
    parsed: Parsed
    findings: list[str]  # what the user is told, beyond the plan's violations
    candidates: list[str]  # template keys the pre-filter kept (or those read from the wording)
    selected_by: str  # "wording" (`detect`) or "llm"
    select_error: str | None
    constraints: list[Constraint]
    free_form: bool  # a rule no template covers: free-form code is needed
    free_code: str | None  # the latest free-form code (None: write it)
    free_failure: str | None  # what the latest free-form code did wrong
    free_attempts: int
    free_abandoned: str | None  # why the free-form code was left out of the last search
    versions: list[CodeVersion]
    round: int  # repair rounds used
    redo: str  # where repair sends the graph
    answer: dict[str, Any]
