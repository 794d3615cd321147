"""Reflect: deterministic checks (the reply's code runs in the sandbox; a hint holds no solution code) and, in hint
mode, a JSON rubric from the model. A failing code block is repaired on its own; any other failed point sends the
whole draft back with its problems.

The model's rubric is not asked in explain mode by default. Measured over 40 QACP questions on the 1.5B model
(docs/results/tutor/qacp-model-review-judged), it flagged 30 drafts, and those drafts scored no worse by the
reference judge than the 10 it passed (4.07 against 4.01 of 5); the revisions it asked for scored lower than their
drafts (4.081 against 4.056 over the 23 that changed) and cost 26 s per answer (review 9 s, revision 17 s). In hint
mode it also checks that no solution is handed over, so it stays. `Tutor(model_review=...)` names the modes that ask it.

The model reviews the first draft only; a revision gets the deterministic checks. The review is one more turn of
the conversation that wrote the draft, not a new prompt repeating the passages and the request: the server reuses its
cache of that conversation (llama.cpp matches the longest common prefix), so the review reads only its own short
instructions instead of the whole ~1,300-token context again."""

import logging
import re
import textwrap
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
_SYNTAX_LINE = re.compile(r"^line (\d+):")
_ERROR_COMMENT = re.compile(r"#.*(?:error|错误)", re.IGNORECASE)


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
    faults: list[int] = field(default_factory=list)  # the blocks (indexes into `runs`) whose code fails

    @property
    def passed(self) -> bool:
        return not self.problems

    def as_record(self) -> dict[str, Any]:
        return {
            "rubric": None if self.rubric is None else self.rubric.model_dump(),
            "runs": [{"ok": run.ok, "kind": run.kind, "message": run.message} for run in self.runs],
            "problems": self.problems,
            "faults": [
                {"block": index, "message": f"{self.runs[index].kind}: {self.runs[index].message}"}
                for index in self.faults
            ],
        }


def code_faults(draft: str, runs: list[BlockRun]) -> list[int]:
    """The blocks whose code fails, unless the reply names the error a block shows (shown on purpose)."""
    return [index for index, run in enumerate(runs) if run.is_fault and not _shown_on_purpose(run, draft)]


def _shown_on_purpose(run: BlockRun, draft: str) -> bool:
    """An exception the reply names, or a syntax error marked by a comment on its line (`# error: …`)."""
    if run.kind == "exception":
        name = _EXCEPTION_NAME.match(run.message)
        return bool(name and name.group(1) in draft)
    if run.kind == "syntax":
        line = _SYNTAX_LINE.match(run.message)
        lines = textwrap.dedent(run.code).splitlines()
        number = int(line.group(1)) if line else 0
        return 0 < number <= len(lines) and bool(_ERROR_COMMENT.search(lines[number - 1]))
    return False


def deterministic_problems(
    draft: str, mode: str, runs: list[BlockRun], faults: list[int] | None = None
) -> list[str]:
    """Problems found without the model: code that fails (`faults`, found from `runs` when not given) and, in hint
    mode, code beyond one line."""
    faults = code_faults(draft, runs) if faults is None else faults
    problems = [_fault_problem(runs[index]) for index in faults]
    if mode == "hint" and code_lines(draft) > HINT_CODE_LINES:
        problems.append(HINT_CODE_PROBLEM)
    return problems


def _fault_problem(run: BlockRun) -> str:
    return f"A code example fails when run ({run.kind}: {run.message}); fix it."


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
    faults = code_faults(draft, runs)
    problems = deterministic_problems(draft, mode, runs, faults)
    if not ask_model:
        return Review(None, runs, problems, faults)
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
        return Review(None, runs, problems, faults)
    if not rubric.passed(mode):
        failed = [
            name
            for name in ("correct", "logical", "answers_question", "grounded")
            if not getattr(rubric, name)
        ]
        if mode == "hint" and not rubric.no_full_solution:
            failed.append("no_full_solution")
        problems.extend(rubric.problems or [f"The reply fails these checks: {', '.join(failed)}."])
    return Review(rubric, runs, problems, faults)
