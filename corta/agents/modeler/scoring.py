"""Score proposals: deterministic checks first, then the process reward model on the cumulative partial model."""

from typing import Protocol

from corta.agents.modeler.tree import Node
from corta.solvers.optmodel.checked_steps import render_checked_steps
from corta.solvers.optmodel.checks import check_factor, check_partial


class StepScorer(Protocol):
    def score_steps(self, question: str, steps: list[str]) -> list[float]: ...


def score_nodes(question: str, nodes: list[Node], prm: StepScorer | None) -> None:
    """Set each node's findings, PRM score (of its last step) and score = PRM × check factor (PRM 1 when None)."""
    for node in nodes:
        if node.error is not None:
            node.score = 0.0
            continue
        node.findings = check_partial(question, node.partial)
        node.prm = (
            prm.score_steps(question, render_checked_steps(question, node.partial))[-1]
            if prm is not None
            else None
        )
        node.score = (node.prm if node.prm is not None else 1.0) * check_factor(node.findings)
