"""The search tree: every node the policy proposed, its score and findings, kept for the UI and the report."""

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Node:
    """One proposal: a level's content added to its parent's partial model."""

    id: int
    parent: int | None
    level: str  # "L1", "L2", "L3", "full" (one pass), "repair" or "program" (a witness program)
    partial: dict[str, Any]  # the cumulative partial model
    score: float = 0.0  # PRM score × check factor; what pruning and ranking compare
    prm: float | None = None
    findings: list[str] = field(default_factory=list)
    kept: bool = False
    status: str | None = None  # after solving: optimal, infeasible, …, or "error"
    objective: float | None = None
    error: str | None = None  # why the policy's reply was unusable, when it was
    program: str | None = None  # a witness program's code (level "program")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchTree:
    """All nodes, in the order they were made; node 0 is the root (the empty model)."""

    nodes: list[Node] = field(default_factory=lambda: [Node(0, None, "root", {}, score=1.0, kept=True)])

    def add(self, parent: Node, level: str, partial: dict[str, Any], error: str | None = None) -> Node:
        node = Node(len(self.nodes), parent.id, level, partial, error=error)
        self.nodes.append(node)
        return node

    def to_json(self) -> list[dict[str, Any]]:
        return [node.to_json() for node in self.nodes]
