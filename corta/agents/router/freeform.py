"""Free-form constraint code, the fallback for rules no template covers: the LLM writes both functions.

A first attempt is greedy; every later one samples (temperature 0.8, a new seed) and is told only what failed,
never shown its old code: asked at temperature 0 to fix its own checker, the 1.5B model returned the same code
14 times out of 14.
"""

from collections.abc import Sequence

from corta.agents.router.programs import code_block
from corta.agents.router.prompts import CODE_SYSTEM, COVERED, FEEDBACK, FREE_FORM
from corta.models.llm import LLM

SAMPLING_TEMPERATURE = 0.8


def write_constraint_code(
    llm: LLM,
    description: str,
    covered: Sequence[str] = (),
    failure: str | None = None,
    attempt: int = 0,
    seed: int = 0,
) -> str:
    """The source of `check_constraints(state)` and `penalty(state)` for the rule in `description`; `covered`
    names the templates already handling parts of it, `failure` what the previous attempt did wrong."""
    prompt = FREE_FORM.format(
        description=description,
        covered=COVERED.format(entries=", ".join(covered)) if covered else "",
        feedback=FEEDBACK.format(failure=failure) if failure else "",
    )
    reply = llm.chat(
        prompt, system=CODE_SYSTEM, purpose="code", temperature=SAMPLING_TEMPERATURE if attempt else 0.0,
        seed=seed + attempt, max_tokens=900,
    )  # fmt: skip
    return code_block(reply)
