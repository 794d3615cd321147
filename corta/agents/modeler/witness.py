"""A program as a witness: two independent representations of the problem that reach the same optimum agree.

The policy writes the problem once more as a Pyomo program (the `code` method's prompt), run in the sandbox. Its
answer does not replace the structured search; it ranks it. A solved finalist whose objective the program confirms is
preferred over one it does not: a wrong meaning (a dropped rule, a total read as a per-item limit) seldom comes out
the same in both. When no finalist solves, the program's optimum is the answer, marked as such.

When the program's optimum matches no solved finalist, or nothing answers at all (no finalist solved and the program
failed), a second program is sampled (at temperature 0 the prompt would return the same program). Two programs that agree with each other and with no finalist
outvote the finalists; otherwise the second program counts as one more witness.
"""

import math
from typing import Any, Literal

from corta.agents.modeler.tree import Node

AGREEMENT_REL_TOL = 1e-6
WitnessRole = Literal["confirmed", "overruled", "answered", "failed"]


def witness_optimum(program: dict[str, Any] | None) -> float | None:
    """The optimum the witness program printed, or None when it reached none."""
    if program is None or program["status"] != "optimal":
        return None
    return float(program["objective"])


def agreeing(nodes: list[Node], objectives: list[float]) -> list[Node]:
    """The solved nodes whose objective equals one of the witnesses' to a relative 1e-6."""
    return [
        node
        for node in nodes
        if node.objective is not None and any(_agree(node.objective, objective) for objective in objectives)
    ]


def wants_second_witness(solved_finalists: list[Node], program: dict[str, Any] | None) -> bool:
    """Whether a second program is worth its call: the first one's optimum matches no solved finalist, or no finalist
    solved and the first program reached no optimum either."""
    optimum = witness_optimum(program)
    if optimum is None:
        return not solved_finalists
    return bool(solved_finalists) and not agreeing(solved_finalists, [optimum])


def programs_outvote(solved_finalists: list[Node], optima: list[float]) -> bool:
    """Whether two witness programs agree on an optimum that no solved finalist reaches."""
    return len(optima) == 2 and _agree(*optima) and not agreeing(solved_finalists, optima)


def witness_role(witnesses: list[Node], answered: bool, objective: float | None) -> WitnessRole | None:
    """What the witness programs did for the final answer `objective`: "answered" it (their optimum is the answer),
    "confirmed" it, were "overruled" (their optima differ from the answer's) or "failed" (reached no optimum); None
    without a witness."""
    if not witnesses:
        return None
    optima = [node.objective for node in witnesses if node.status == "optimal" and node.objective is not None]
    if not optima:
        return "failed"
    if answered:
        return "answered"
    confirmed = objective is not None and any(_agree(objective, optimum) for optimum in optima)
    return "confirmed" if confirmed else "overruled"


def _agree(first: float, second: float) -> bool:
    return math.isclose(first, second, rel_tol=AGREEMENT_REL_TOL, abs_tol=AGREEMENT_REL_TOL)
