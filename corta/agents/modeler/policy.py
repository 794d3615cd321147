"""Policy calls: the chat model proposes the next level of a partial model, schema-constrained."""

import logging
from typing import Any

from pydantic import BaseModel

from corta.agents.modeler import prompts
from corta.agents.modeler.integrality import settle_types
from corta.errors import LLMOutputError
from corta.models.llm import LLM
from corta.solvers.optmodel.levels import LEVEL_SCHEMAS, FullModel
from corta.solvers.optmodel.steps import render_steps

log = logging.getLogger(__name__)


def level_prompt(question: str, partial: dict[str, Any], level: str) -> str:
    """Problem first (a shared prefix across calls), then the model so far, then the ask of this level."""
    parts = [prompts.PROBLEM.format(question=question.strip())]
    if partial:
        parts.append(prompts.SO_FAR.format(steps="\n\n".join(render_steps(partial))))
    parts.append(prompts.ASK_FULL if level == "full" else prompts.ASK_LEVEL[level])
    return "\n\n".join(parts)


def propose(
    llm: LLM,
    question: str,
    partial: dict[str, Any],
    level: str,
    count: int,
    temperature: float,
    seed: int,
) -> list[tuple[BaseModel | None, str | None]]:
    """`count` proposals for `level` ("L1"–"L3" or "full"): each the parsed level, or None and why it failed."""
    schema = FullModel if level == "full" else LEVEL_SCHEMAS[level]  # type: ignore[index]
    prompt = level_prompt(question, partial, level)
    proposals: list[tuple[BaseModel | None, str | None]] = []
    for number in range(count):
        proposals.append(_ask(llm, prompt, schema, f"policy-{level}", temperature, seed + number))
    return proposals


def repair_level(
    llm: LLM,
    question: str,
    partial: dict[str, Any],
    level: str,
    defect: str,
    seed: int,
    temperature: float = 0.7,
) -> tuple[BaseModel | None, str | None]:
    """One sampled repair of `level`, told the defect in words (a bare 'infeasible' makes the model repeat itself)."""
    schema = FullModel if level == "full" else LEVEL_SCHEMAS[level]  # type: ignore[index]
    prompt = "\n\n".join(
        [
            prompts.PROBLEM.format(question=question.strip()),
            prompts.SO_FAR.format(steps="\n\n".join(render_steps(partial))),
            prompts.REPAIR.format(defect=defect, level=level if level != "full" else "(the whole model)"),
        ]
    )
    return _ask(llm, prompt, schema, "policy-repair", temperature, seed)


def _ask(
    llm: LLM, prompt: str, schema: type[BaseModel], purpose: str, temperature: float, seed: int
) -> tuple[BaseModel | None, str | None]:
    try:
        reply = llm.json(
            prompt,
            schema,
            system=prompts.SYSTEM,
            purpose=purpose,
            temperature=temperature,
            seed=seed,
            max_tokens=900,
        )
        return settle_types(reply), None
    except LLMOutputError as error:
        log.info("unusable %s reply: %s", purpose, error)
        return None, str(error)
