"""Math-Shepherd labels for a partial model: the share of sampled completions whose solved outcome is the gold one.

From the levels written so far, the LLM writes the remaining levels k times (temperature 0.8); each completed model is
solved by HiGHS and counts when its objective matches the answer at 1e-6 relative (or its status matches an
infeasible or unbounded label). A completion that does not parse, load or compile counts as a miss.
"""

import json
import math

from pydantic import BaseModel

from corta.datasets.optimization import OptProblem
from corta.errors import DatasetError, LLMOutputError, ModelError
from corta.models.llm import LLM
from corta.solvers.optmodel.levels import LEVEL_SCHEMAS, LEVELS, merge_levels, to_ir
from corta.solvers.optmodel.schema import load_model
from corta.solvers.optmodel.solve import SolveResult, solve

ROLLOUT_PROMPT = """Problem:
{question}

The model so far (JSON):
{partial}

Write the next part of the model. {level}
Reply with one JSON object."""


def matches_label(result: SolveResult, problem: OptProblem) -> bool:
    """Whether a solve reproduces the problem's gold label (objective at 1e-6 relative, or status)."""
    if problem.status != "optimal":
        return result.status == problem.status
    return (
        result.status == "optimal"
        and result.objective is not None
        and problem.answer is not None
        and math.isclose(result.objective, problem.answer, rel_tol=1e-6, abs_tol=1e-9)
    )


def _complete(
    llm: LLM, question: str, levels: list[BaseModel], temperature: float, seed: int | None
) -> list[BaseModel]:
    levels = list(levels)
    for name in LEVELS[len(levels) :]:
        schema = LEVEL_SCHEMAS[name]
        prompt = ROLLOUT_PROMPT.format(
            question=question, partial=json.dumps(merge_levels(levels)), level=(schema.__doc__ or "").strip()
        )
        levels.append(llm.json(prompt, schema, purpose="prm:rollout", temperature=temperature, seed=seed))
    return levels


def rollout_labels(
    llm: LLM,
    problem: OptProblem,
    partial_levels: list[BaseModel],
    k: int = 8,
    temperature: float = 0.8,
    time_limit_s: float = 5.0,
) -> float:
    """The share of `k` completions of `partial_levels` (L1, then L2, …) that solve to the problem's gold label.

    A complete model is solved once: its label is 0 or 1.

    Raises
    ------
    DatasetError
        If the problem's label is unknown, so that no completion can be checked.
    """
    if problem.status == "unknown":
        raise DatasetError(f"Problem {problem.id} has no trustworthy label to check rollouts against.")
    attempts = 1 if len(partial_levels) == len(LEVELS) else k  # a complete model has one outcome
    hits = 0
    for attempt in range(attempts):
        try:
            levels = _complete(llm, problem.question, partial_levels, temperature, seed=attempt)
            hits += matches_label(solve(load_model(to_ir(merge_levels(levels))), time_limit_s), problem)
        except (LLMOutputError, ModelError):
            continue
    return hits / attempts
