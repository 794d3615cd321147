"""A scripted LLM and a fixed retriever for the tutor's graph tests: each request is answered by what it asks."""

import json
import math
from dataclasses import dataclass
from typing import Any

PASS = {
    "correct": True,
    "logical": True,
    "answers_question": True,
    "grounded": True,
    "no_full_solution": True,
}


@dataclass(frozen=True)
class Passage:
    title: str
    path: str
    score: float
    text: str


class FixedRetriever:
    """Returns the same passages for every query and records the queries."""

    def __init__(self, passages: list[Passage] | None = None) -> None:
        self.passages = passages or [
            Passage("Default Argument Values", "tutorial/controlflow.rst > 4.8.1 Default Argument Values", 0.71,
                    "The most useful form is to specify a default value for one or more arguments."),
            Passage("Function definitions", "reference/compound_stmts.rst > 8.7 Function definitions", 0.55,
                    "Default parameter values are evaluated from left to right when the definition is executed."),
        ]  # fmt: skip
        self.queries: list[str] = []
        self.languages: list[str | None] = []

    def search(self, query: str, k: int = 3, language: str | None = None) -> list[Passage]:
        self.queries.append(query)
        self.languages.append(language)
        return [p for p in self.passages if language in (None, _language(p.text))][:k]


class Script:
    """`perception`: the perceive reply (a dict, or raw text); `drafts`: replies to draft and revise requests in
    turn; `blocks`: replies to block repairs in turn (the last repeats); `rubrics`: the reflection's verdicts in turn (the last repeats); `judge_scores`: the evaluation judge's scores (each given all the probability);
    `preferences`: its pairwise verdicts as P("A") in turn (the last repeats)."""

    def __init__(
        self,
        perception: dict[str, Any] | str | None = None,
        drafts: list[str] | None = None,
        rubrics: list[dict[str, Any]] | None = None,
        off_topic: str = "I help with Python programming; ask me about your code.",
        judge_scores: list[int] | None = None,
        preferences: list[float] | None = None,
        blocks: list[str] | None = None,
    ) -> None:
        self.perception = perception or {
            "intent": "concept", "level": "beginner", "knowledge_points": ["default argument values"],
            "query": "default argument values", "needs_clarification": False, "clarifying_question": "",
        }  # fmt: skip
        self.drafts = list(drafts or ["Give the parameter a default, like `def f(a=1)` [1]."])
        self.rubrics = list(rubrics or [PASS])
        self.off_topic = off_topic
        self.judge_scores = list(judge_scores or [3])
        self.preferences = list(preferences or [0.5])
        self.blocks = list(blocks or ["```python\nprint('fixed')\n```"])
        self.requests: list[dict[str, Any]] = []

    def kinds(self) -> list[str]:
        """The kind of each request received, in order."""
        return [_kind(body) for body in self.requests]

    def prompts_of(self, kind: str) -> list[str]:
        """The last user message of each request of `kind`."""
        return [body["messages"][-1]["content"] for body in self.requests if _kind(body) == kind]

    def __call__(self, body: dict[str, Any]) -> str | tuple[str, dict[str, float]]:
        self.requests.append(body)
        kind = _kind(body)
        if kind == "perceive":
            return self.perception if isinstance(self.perception, str) else json.dumps(self.perception)
        if kind == "reflect":
            return json.dumps(self.rubrics.pop(0) if len(self.rubrics) > 1 else self.rubrics[0])
        if kind == "off_topic":
            return self.off_topic
        if kind == "judge":
            score = self.judge_scores.pop(0) if len(self.judge_scores) > 1 else self.judge_scores[0]
            return str(score), {str(score): 0.0}
        if kind == "prefer":
            p_a = self.preferences.pop(0) if len(self.preferences) > 1 else self.preferences[0]
            return ("A" if p_a >= 0.5 else "B"), {"A": math.log(p_a), "B": math.log(1.0 - p_a)}
        if kind == "repair":
            return "still not JSON"
        if kind == "fix_block":
            return self.blocks.pop(0) if len(self.blocks) > 1 else self.blocks[0]
        return self.drafts.pop(0) if len(self.drafts) > 1 else self.drafts[0]


def _language(text: str) -> str:
    return "zh" if any("\u4e00" <= char <= "\u9fff" for char in text) else "en"


def _kind(body: dict[str, Any]) -> str:
    prompt = body["messages"][-1]["content"]
    if "That reply was not valid" in prompt:
        return "repair"
    if "Read the learner's message as their teacher would" in prompt:
        return "perceive"
    if "Which reply is more correct against the reference" in prompt:
        return "prefer"
    if "Score the tutor's reply for correctness" in prompt:
        return "judge"
    if "Now check your reply above" in prompt:
        return "reflect"
    if "outside Python programming" in prompt:
        return "off_topic"
    if "Write that block again" in prompt:
        return "fix_block"
    if "Your previous reply had these problems" in prompt:
        return "revise"
    return "draft"
