"""The modeler graph's state."""

from typing import Any, TypedDict

from corta.agents.modeler.methods import SearchSettings
from corta.agents.modeler.tree import SearchTree


class ModelerState(TypedDict, total=False):
    question: str
    settings: SearchSettings
    seed: int
    time_limit_s: float
    tree: SearchTree
    level: int  # index into LEVELS of the next level to build
    frontier: list[int]  # ids of the nodes kept at the last level
    finalists: list[int]
    chosen: int | None
    unwitnessed: int | None  # the best-scored solved finalist: the choice without the witness (and the judge)
    by_program: int | None  # the witness program (tree node id) whose optimum is the answer
    refusal: str | None
    program: dict[str, Any] | None  # the `code` method's outcome, or the witness program's (with its "node")
    second_program: dict[str, Any] | None  # a second witness, written when the first one settles nothing
