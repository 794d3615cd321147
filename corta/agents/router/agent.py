"""Run the router on one description and instance; report the plan, the code behind it and what it cost."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corta.agents.router.graph import build_graph
from corta.agents.router.nodes import RouterNodes
from corta.errors import ConfigError
from corta.models.llm import LLM
from corta.models.usage import UsageLedger
from corta.solvers.routing.sandboxed import RouteOutcome

DEFAULT_ROUNDS = 3


@dataclass
class RouterResult:
    """The best plan found and the constraint code it was found under, with what the agent could not honour.

    Parameters
    ----------
    outcome
        The search's plan, cost and violations (of the standard part and of the generated code).
    check_code, penalty_code
        The sources of `check_constraints` and `penalty` (empty when no constraint code was used).
    rounds
        Repair rounds used (0: the first attempt went through).
    unhonoured
        One sentence per constraint the plan does not honour, and why.
    findings
        Other things worth saying: nodes the text names that do not exist, readings used despite doubts.
    constraints
        The templates chosen and their parameters as finally read.
    selected_by
        Who chose the templates: "wording" (read from the description's words) or "llm".
    versions
        Every program built, its tests and its plan's verdict.
    calls, tokens, seconds
        LLM calls and tokens of this run, and its wall time.

    Raises
    ------
    ValueError
        When a count or the time is negative.
    """

    outcome: RouteOutcome
    check_code: str
    penalty_code: str
    rounds: int
    unhonoured: list[str]
    findings: list[str]
    constraints: list[dict[str, Any]]
    selected_by: str = "llm"
    versions: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    tokens: int = 0
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if min(self.rounds, self.calls, self.tokens, self.seconds) < 0:
            raise ValueError("Counts and times of a router result cannot be negative.")

    @property
    def feasible(self) -> bool:
        """The plan passes the standard part and the code, and every constraint of the text was honoured."""
        return self.outcome.feasible and not self.unhonoured

    @property
    def violations(self) -> list[str]:
        return [*self.outcome.violations, *self.unhonoured]

    def contract(self) -> dict[str, Any]:
        """The documented `corta route ask --json` output: `corta route solve`'s object, the code and the rounds,
        plus the constraints as read and the findings."""
        return {
            **self.outcome.contract(),
            "feasible": self.feasible,
            "violations": self.violations,
            "code": {"check_constraints": self.check_code, "penalty": self.penalty_code},
            "rounds": self.rounds,
            "constraints": self.constraints,
            "selected_by": self.selected_by,
            "findings": self.findings,
        }


def route_problem(
    description: str,
    instance_path: Path,
    llm: LLM,
    seconds: float = 5.0,
    seed: int = 0,
    max_rounds: int = DEFAULT_ROUNDS,
    prefilter: Callable[[str], list[str]] | None = None,
    read_wording: bool = True,
) -> RouterResult:
    """Plan routes for `instance_path` under the side constraints that `description` states in words.

    `prefilter` narrows the templates the LLM chooses from (`corta.agents.router.prefilter.Prefilter`); without
    it every template is a candidate. With `read_wording` the templates are first read from the description's
    words (`corta.agents.router.detect`); the LLM chooses only when they name no constraint family.

    Raises
    ------
    ConfigError
        When the time limit or the number of rounds is not positive (rounds may be 0).
    corta.solvers.routing.instance.InstanceError
        When the instance cannot be read.
    corta.errors.LLMUnavailableError
        When the LLM cannot be reached.
    """
    if seconds <= 0 or max_rounds < 0:
        raise ConfigError("The search time must be positive and the number of repair rounds at least 0.")
    own = LLM(llm.endpoint, UsageLedger(), llm.timeout_s)  # this run's calls only
    started = time.perf_counter()
    state = build_graph(RouterNodes(own, prefilter, read_wording)).invoke(
        {
            "description": description,
            "instance_path": Path(instance_path),
            "seconds": seconds,
            "seed": seed,
            "max_rounds": max_rounds,
        },
        {"recursion_limit": 20 + 10 * max_rounds},
    )
    answer = state["answer"]
    versions = state["versions"]
    best = versions[answer["version"]]
    assert best.outcome is not None
    calls = own.ledger.calls
    return RouterResult(
        outcome=best.outcome,
        check_code=best.program.check if best.program else "",
        penalty_code=best.program.penalty if best.program else "",
        rounds=state["round"],
        unhonoured=answer["unhonoured"],
        findings=answer["findings"],
        constraints=[constraint.as_record() for constraint in state["constraints"]],
        selected_by=state.get("selected_by", "llm"),
        versions=[version.as_record() for version in versions],
        calls=len(calls),
        tokens=sum(call.prompt_tokens + call.completion_tokens for call in calls),
        seconds=time.perf_counter() - started,
    )
