"""Ask Molly: one turn of a (possibly continued) conversation, answered with its sources, or a clarifying question."""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from corta.agents.tutor.graph import build_graph
from corta.agents.tutor.nodes import MODEL_REVIEW, Retriever, TutorNodes
from corta.agents.tutor.request import TutorRequest
from corta.agents.tutor.state import turn_input
from corta.errors import ConfigError
from corta.models.llm import LLM
from corta.models.usage import UsageLedger

MODES = ("explain", "hint")


@dataclass
class TutorResult:
    """The reply of one turn and how it came about."""

    status: Literal["answered", "clarify"]
    answer: str
    sources: list[dict[str, Any]]
    mode: str
    intent: str
    rounds: int
    thread: str
    language: str = "en"
    first_draft: str = ""
    reviews: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    tokens: int = 0
    seconds: float = 0.0
    # Calls, tokens and latency of each kind of call (perceive, draft, reflect, revise, repair).
    by_step: dict[str, dict[str, float | int]] = field(default_factory=dict)

    def contract(self) -> dict[str, Any]:
        """The documented `corta tutor ask --json` output (plus `status`: "clarify" when Molly asks back)."""
        return {
            "answer": self.answer,
            "sources": [{"title": s["title"], "path": s["path"], "score": s["score"]} for s in self.sources],
            "mode": self.mode,
            "intent": self.intent,
            "rounds": self.rounds,
            "thread": self.thread,
            "status": self.status,
        }


class Tutor:
    """Molly over an LLM and a knowledge base; threads are kept by the checkpointer (in memory by default). The
    model reviews the first draft of the modes in `model_review` (hint only by default: see reflection.py)."""

    def __init__(
        self,
        llm: LLM,
        retriever: Retriever,
        checkpointer: BaseCheckpointSaver | None = None,
        max_rounds: int = 2,
        k: int = 3,
        model_review: tuple[str, ...] = MODEL_REVIEW,
    ) -> None:
        if max_rounds < 0 or k < 1:
            raise ConfigError("Revision rounds must be at least 0 and passages per answer at least 1.")
        if not set(model_review) <= set(MODES):
            raise ConfigError(f"The model reviews drafts of modes {', '.join(MODES)}, not {model_review}.")
        self.llm = llm
        self.retriever = retriever
        self.checkpointer = checkpointer or InMemorySaver()
        self.max_rounds = max_rounds
        self.k = k
        self.model_review = model_review

    def ask(
        self,
        question: str,
        mode: str = "explain",
        code: str = "",
        error: str = "",
        thread: str | None = None,
        on_step: Callable[[str], None] | None = None,
    ) -> TutorResult:
        """Answer one message; if the thread waits on a clarifying question, the message is its answer.

        `on_step` is told the name of each step as it finishes (perceive, retrieve, draft, reflect, revise, repair, …).

        Raises
        ------
        ConfigError
            If the mode is unknown or the message is empty.
        corta.errors.LLMUnavailableError
            When the LLM cannot be reached.
        """
        if mode not in MODES:
            raise ConfigError(f"Unknown tutor mode {mode!r}: use explain or hint.")
        request = TutorRequest.bounded(question, code, error)
        thread = thread or uuid.uuid4().hex[:12]
        own = LLM(self.llm.endpoint, UsageLedger(), self.llm.timeout_s)  # this turn's calls only
        graph = build_graph(
            TutorNodes(own, self.retriever, self.k, self.max_rounds, self.model_review), self.checkpointer
        )
        config: dict[str, Any] = {
            "configurable": {"thread_id": thread},
            "recursion_limit": 12 + 2 * self.max_rounds,
        }
        started = time.perf_counter()
        if graph.get_state(config).interrupts:
            turn: Any = Command(resume=request.question)
        else:
            turn = turn_input(request.question, request.code, request.error, list(request.notes), mode)
        for update in graph.stream(turn, config, stream_mode="updates"):
            for step in update:
                if on_step is not None and not step.startswith("__"):
                    on_step(step)
        snapshot = graph.get_state(config)
        state = dict(snapshot.values)
        calls = own.ledger.calls
        common = {
            "mode": state.get("mode", mode),
            "intent": state.get("perception", {}).get("intent", ""),
            "thread": thread,
            "language": state.get("language", "en"),
            "calls": len(calls),
            "tokens": sum(call.prompt_tokens + call.completion_tokens for call in calls),
            "seconds": time.perf_counter() - started,
            "by_step": own.ledger.by_purpose(),
        }
        if snapshot.interrupts:
            question_back = snapshot.interrupts[0].value["clarifying_question"]
            return TutorResult("clarify", question_back, [], rounds=0, **common)
        return TutorResult(
            "answered",
            state["answer"],
            state.get("passages", []),
            rounds=state.get("round", 0),
            first_draft=state.get("first_draft", ""),
            reviews=state.get("reviews", []),
            **common,
        )
