"""Choose the constraint templates a description asks for: one schema-constrained call over the candidates."""

import re
from collections.abc import Sequence
from typing import Any

from corta.agents.router.constraint_db import TEMPLATES
from corta.agents.router.prompts import OTHER, SELECT, SYSTEM
from corta.models.llm import LLM

MAX_ENTRIES = 6
_INSTEAD_OF = re.compile(r"instead of ([a-z_]+\.[a-z_]+)")


def selection_schema(candidates: Sequence[str]) -> dict[str, Any]:
    """{"entries": [...]}: distinct keys among the candidates (and "other"), one to six of them."""
    return {
        "title": "Selection",
        "type": "object",
        "properties": {
            "entries": {
                "type": "array",
                "items": {"type": "string", "enum": [*candidates, OTHER]},
                "minItems": 1,
                "maxItems": MAX_ENTRIES,
                "uniqueItems": True,
            }
        },
        "required": ["entries"],
        "additionalProperties": False,
    }


def catalogue(candidates: Sequence[str]) -> str:
    """The candidates as the LLM reads them: one line each, key and description."""
    return "\n".join(f"- {key}: {TEMPLATES[key].description}" for key in candidates)


def without_replaced(keys: Sequence[str]) -> list[str]:
    """`keys` without the templates another chosen template says it is used instead of (they would AND away the
    relaxation it grants: time_windows.windows forbids the extra windows of time_windows.extra_windows)."""
    replaced = {
        name for key in keys if key in TEMPLATES for name in _INSTEAD_OF.findall(TEMPLATES[key].description)
    }
    return [key for key in keys if key not in replaced]


def choose_templates(
    llm: LLM, description: str, candidates: Sequence[str], temperature: float = 0.0, seed: int | None = None
) -> list[str]:
    """The template keys the LLM chooses for `description`, in its order ("other" for a rule none covers).

    Raises
    ------
    LLMOutputError
        When the reply and its repair do not fit the schema.
    """
    prompt = SELECT.format(catalogue=catalogue(candidates), other=OTHER, description=description)
    reply = llm.json(
        prompt, selection_schema(candidates), system=SYSTEM, purpose="select", temperature=temperature,
        seed=seed, max_tokens=160,
    )  # fmt: skip
    return without_replaced(list(dict.fromkeys(reply["entries"])))
