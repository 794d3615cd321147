"""The steps a process reward model reads, each headed by what the deterministic checks found at that step.

The checks (`checks.py`: data the question does not state, the objective's sense, what stops compiling) run before any
learned judgement and feed it: a number that is not in the question is easy for code to see and hard for a small
encoder to learn, so the step carries the finding in words. Training, evaluation and search render steps alike.
"""

from typing import Any

from corta.solvers.optmodel.checks import check_partial
from corta.solvers.optmodel.levels import LEVEL_SCHEMAS, LEVELS
from corta.solvers.optmodel.steps import render_steps


def render_checked_steps(question: str, partial: dict[str, Any]) -> list[str]:
    """`render_steps(partial)`, each step headed by the findings that first appear at its level (first, so that an
    encoder reading a few hundred tokens never cuts them off)."""
    steps = render_steps(partial)
    checked: list[str] = []
    seen: list[str] = []
    prefix: dict[str, Any] = {}
    for step, level in zip(steps, LEVELS, strict=False):
        prefix.update({key: partial[key] for key in LEVEL_SCHEMAS[level].model_fields if key in partial})
        findings = [finding for finding in check_partial(question, prefix) if finding not in seen]
        seen += findings
        checked.append("".join(f"Check: {finding}\n" for finding in findings) + step)
    return checked
