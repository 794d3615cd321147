"""Reflect: a JSON rubric from the model plus deterministic checks (the reply's code runs in the sandbox; a hint
holds no solution code). Any failed point becomes a problem the next draft must fix.

The model reviews the first draft only; a revision gets the deterministic checks. Measured on the first QACP
items, revisions never changed the judge's score of the reply (5 of 5 drafts and finals scored alike) while each
model review cost a policy call (15–25 s on the CPU), the largest share of the tutor's latency.

The review is one more turn of the conversation that wrote the draft, not a new prompt repeating the passages and
the request: the server reuses its cache of that conversation (llama.cpp matches the longest common prefix), so the
review reads only its own short instructions instead of the whole ~1,300-token context again."""

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from corta.agents.tutor import prompts
from corta.agents.tutor.code_blocks import BlockRun, code_lines, python_blocks, run_blocks
from corta.errors import LLMOutputError
from corta.models.llm import LLM

log = logging.getLogger(__name__)

HINT_CODE_LINES = 1  # a hint may show one line of code on a different example, never a solution
HINT_CODE_PROBLEM = (
    "A hint must not contain code beyond one line: remove the code and point at the idea or the line instead."
)
_EXCEPTION_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(?:Error|Exception|Warning|Interrupt|Exit))\b")


class Rubric(BaseModel):
    """The judge's verdict on a draft."""

    correct: bool
    logical: bool
    answers_question: bool
    grounded: bool
    no_full_solution: bool = True
    problems: list[str] = Field(default_factory=list, max_length=5)

    def passed(self, mode: str) -> bool:
        points = [self.correct, self.logical, self.answers_question, self.grounded]
        return all(points) and (mode != "hint" or self.no_full_solution)


@dataclass
class Review:
    """A draft's review: the rubric (None if the judge's reply was unusable), code runs and every problem found."""

    rubric: Rubric | None
    runs: list[BlockRun] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def as_record(self) -> dict[str, Any]:
        return {
            "rubric": None if self.rubric is None else self.rubric.model_dump(),
            "runs": [{"ok": run.ok, "kind": run.kind, "message": run.message} for run in self.runs],
            "problems": self.problems,
        }


def deterministic_problems(draft: str, mode: str, runs: list[BlockRun]) -> list[str]:
    """Problems found without the model: code that fails (unless the reply names the error it shows) and, in hint
    mode, code beyond one line."""
    problems = []
    for run in runs:
        if not run.is_fault:
            continue
        name = _EXCEPTION_NAME.match(run.message)
        if run.kind == "exception" and name and name.group(1) in draft:
            continue  # the reply shows this error on purpose
        problems.append(f"A code example fails when run ({run.kind}: {run.message}); fix it.")
    if mode == "hint" and code_lines(draft) > HINT_CODE_LINES:
        problems.append(HINT_CODE_PROBLEM)
    return problems


def review_draft(
    llm: LLM,
    conversation: list[dict[str, str]],
    mode: str,
    ask_model: bool = True,
) -> Review:
    """Review the draft that ends `conversation` (its system and user messages, then the draft as the assistant's):
    run its code, apply the deterministic checks, then (with `ask_model`) ask the model for the rubric in one more
    turn of that conversation."""
    draft = conversation[-1]["content"]
    runs = run_blocks(python_blocks(draft))
    problems = deterministic_problems(draft, mode, runs)
    if not ask_model:
        return Review(None, runs, problems)
    run_notes = "\n".join(run.describe() for run in runs)
    question = prompts.REFLECT.format(
        mode=mode, runs=f"\nRunning the reply's code:\n{run_notes}\n" if run_notes else ""
    )
    try:
        rubric = llm.json(
            [*conversation, {"role": "user", "content": question}],
            Rubric,
            purpose="tutor-reflect",
            max_tokens=200,
        )
    except LLMOutputError as error:
        log.info("unusable rubric (%s); keeping the deterministic checks only", error)
        return Review(None, runs, problems)
    if not rubric.passed(mode):
        failed = [
            name
            for name in ("correct", "logical", "answers_question", "grounded")
            if not getattr(rubric, name)
        ]
        if mode == "hint" and not rubric.no_full_solution:
            failed.append("no_full_solution")
        problems.extend(rubric.problems or [f"The reply fails these checks: {', '.join(failed)}."])
    return Review(rubric, runs, problems)
