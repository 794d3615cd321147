"""A program as a witness: two independent representations of the problem that reach the same optimum agree.

The policy writes the problem once more as a Pyomo program (the `code` method's prompt), run in the sandbox. Its
answer does not replace the structured search; it ranks it. A solved finalist whose objective the program confirms is
preferred over one it does not: a wrong meaning (a dropped rule, a total read as a per-item limit) seldom comes out
the same in both. When no finalist solves, the program's optimum is the answer, marked as such.
"""

import math
from typing import Any

from corta.agents.modeler.tree import Node

AGREEMENT_REL_TOL = 1e-6


def confirmed_objective(program: dict[str, Any] | None) -> float | None:
    """The optimum the witness program printed, or None when it reached none."""
    if program is None or program["status"] != "optimal":
        return None
    return float(program["objective"])


def agreeing(nodes: list[Node], objective: float) -> list[Node]:
    """The solved nodes whose objective equals the witness's to a relative 1e-6."""
    return [
        node
        for node in nodes
        if node.objective is not None
        and math.isclose(node.objective, objective, rel_tol=AGREEMENT_REL_TOL, abs_tol=AGREEMENT_REL_TOL)
    ]
