"""A program as a witness: two independent representations of the problem that reach the same optimum agree.

The policy writes the problem once more as a Pyomo program (the `code` method's prompt), run in the sandbox. Its
answer does not replace the structured search; it ranks it. A solved finalist whose objective the program confirms is
preferred over one it does not: a wrong meaning (a dropped rule, a total read as a per-item limit) seldom comes out
the same in both. When no finalist solves, the program's optimum is the answer, marked as such.
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


def agreeing(nodes: list[Node], objective: float) -> list[Node]:
    """The solved nodes whose objective equals the witness's to a relative 1e-6."""
    return [node for node in nodes if node.objective is not None and _agree(node.objective, objective)]


def witness_role(witness: Node | None, answered: bool, objective: float | None) -> WitnessRole | None:
    """What the witness did for the final answer `objective`: "answered" it (no finalist solved), "confirmed" it,
    was "overruled" (its optimum differs from the answer's) or "failed" (reached no optimum); None without one."""
    if witness is None:
        return None
    if witness.status != "optimal" or witness.objective is None:
        return "failed"
    if answered:
        return "answered"
    return "confirmed" if objective is not None and _agree(objective, witness.objective) else "overruled"


def _agree(first: float, second: float) -> bool:
    return math.isclose(first, second, rel_tol=AGREEMENT_REL_TOL, abs_tol=AGREEMENT_REL_TOL)
