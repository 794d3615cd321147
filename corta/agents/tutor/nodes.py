"""The tutor graph's steps. Each reads the state and returns the fields it changes."""

import logging
from typing import Any, Literal, Protocol

from langgraph.types import interrupt

from corta.agents.tutor import prompts
from corta.agents.tutor.block_repair import keeps_the_block, mended_without_the_model
from corta.agents.tutor.code_blocks import (
    ReplyBlock,
    code_lines,
    python_blocks,
    replace_block,
    reply_blocks,
    strip_code,
)
from corta.agents.tutor.language import detect_language
from corta.agents.tutor.perception import Perception, perceive, render_request
from corta.agents.tutor.reflection import HINT_CODE_LINES, HINT_CODE_PROBLEM, review_draft
from corta.agents.tutor.request import TutorRequest
from corta.agents.tutor.state import TutorState
from corta.agents.tutor.whole_sentences import whole_sentences
from corta.models.llm import LLM

log = logging.getLogger(__name__)

CLARIFY_MAX_WORDS = 6  # only a very short message without code may earn a clarifying question
HISTORY_TURNS = 2
TRANSLATION_POOL = 30  # Chinese passages searched for translations of the English ones
HINT_CODE_REMOVED = "(I left the code out: a hint points the way, the solution is yours to write.)"
# Reply budgets in tokens: the prompts ask for under 250 words (explain) and under 80 (hint). Generation is most of
# a call's time on the CPU (about 14 tokens/s on 2 cores), so a reply that rambles past its budget is cut, to its
# whole sentences, rather than waited for. Measured on the Socratic problems with a 250-token hint budget, 31 of 44
# hint drafts and revisions ran into it: hints ramble on into code, which the guard then removes anyway.
REPLY_TOKENS = {"explain": 450, "hint": 160}
# Characters of each passage the draft reads. A hint takes one step and quotes little; on 2 CPU cores prefill runs at
# about 60 tokens/s, so a hint reads the head of each passage (about 450 tokens, 7 s, less for three passages).
PASSAGE_CHARS = {"explain": 1200, "hint": 600}
# The modes whose first draft the model reviews (reflection.py has the measurement behind leaving explain out).
MODEL_REVIEW = ("hint",)
REPAIRS_PER_ROUND = 3  # failing blocks rewritten in one round, one short call each


class PassageLike(Protocol):
    title: str
    path: str
    score: float
    text: str


class Retriever(Protocol):
    def search(
        self, query: str, k: int = 3, language: Literal["en", "zh"] | None = None
    ) -> list[PassageLike]: ...


class TutorNodes:
    """The steps, holding the LLM and the knowledge base."""

    def __init__(
        self,
        llm: LLM,
        retriever: Retriever,
        k: int = 3,
        max_rounds: int = 2,
        model_review: tuple[str, ...] = MODEL_REVIEW,
    ) -> None:
        self.llm = llm
        self.retriever = retriever
        self.k = k
        self.max_rounds = max_rounds
        self.model_review = model_review

    def perceive(self, state: TutorState) -> dict[str, Any]:
        request = _request(state)
        language = detect_language(request.question)
        perception = perceive(self.llm, request, _system(language))
        return {"perception": perception.model_dump(), "language": language}

    def route_after_perceive(self, state: TutorState) -> str:
        perception = Perception.model_validate(state["perception"])
        if perception.intent == "off_topic":
            return "off_topic"
        short = len(state["question"].split()) <= CLARIFY_MAX_WORDS and not (state["code"] or state["error"])
        wants = perception.needs_clarification and perception.clarifying_question.strip()
        return "clarify" if wants and short and not state.get("clarified") else "retrieve"

    def clarify(self, state: TutorState) -> dict[str, Any]:
        question = Perception.model_validate(state["perception"]).clarifying_question.strip()
        reply = interrupt({"clarifying_question": question})
        return {"question": f"{state['question']}\n({question} {str(reply).strip()})", "clarified": True}

    def off_topic(self, state: TutorState) -> dict[str, Any]:
        reply = self.llm.chat(
            prompts.OFF_TOPIC.format(request=render_request(_request(state))),
            system=_system(state["language"]),
            purpose="tutor-off-topic",
            max_tokens=120,
        )
        return {"first_draft": reply, "draft": reply}

    def retrieve(self, state: TutorState) -> dict[str, Any]:
        """Rank English passages by the perceived (English) query; a Chinese learner gets the translated version
        of the same section where the knowledge base has one (the shipped encoder reads English only)."""
        query = Perception.model_validate(state["perception"]).query
        found: list[PassageLike] = self.retriever.search(query, k=self.k, language="en")
        if state["language"] == "zh":
            translated: dict[str, PassageLike] = {}
            for passage in self.retriever.search(query, k=TRANSLATION_POOL, language="zh"):
                translated.setdefault(passage.path, passage)  # the best-scored chunk of each section
            found = [translated.get(p.path, p) for p in found]
        passages = [
            {"title": p.title, "path": p.path, "score": round(float(p.score), 4), "text": p.text}
            for p in found
        ]
        return {"passages": passages}

    def draft(self, state: TutorState) -> dict[str, Any]:
        reply = self.llm.chat(
            _draft_prompt(state),
            system=_system(state["language"]),
            purpose="tutor-draft",
            max_tokens=REPLY_TOKENS[state["mode"]],
        )
        reply = whole_sentences(reply)
        return {"first_draft": reply, "draft": reply}

    def reflect(self, state: TutorState) -> dict[str, Any]:
        review = review_draft(
            self.llm,
            _draft_conversation(state),
            state["mode"],
            # The first draft of a mode in `model_review` gets the model's rubric; the rest the deterministic checks.
            ask_model=state["round"] == 0 and state["mode"] in self.model_review,
        )
        return {"reviews": [*state.get("reviews", []), review.as_record()]}

    def route_after_reflect(self, state: TutorState) -> str:
        """While problems remain and rounds are left: repair the failing blocks when they are the only problems,
        else revise the whole draft. A revised hint whose only problem is its code goes to the answer, which removes
        the code: one more sampled revision would cost a call for what code can do."""
        review = state["reviews"][-1]
        problems = review["problems"]
        if state["round"] >= 1 and problems == [HINT_CODE_PROBLEM]:
            return "answer"
        if not problems or state["round"] >= self.max_rounds:
            return "answer"
        return "repair" if len(review.get("faults", [])) == len(problems) else "revise"

    def repair(self, state: TutorState) -> dict[str, Any]:
        """Mend each failing block alone and put it in the draft's place: the prose the learner reads stays as it
        was (a whole revision measured no better than its draft). Prose inside a block becomes a comment and a
        missing standard import is added; any other fault is rewritten by the model from its error in one short
        sampled call, taken only if it keeps the block (see block_repair.py)."""
        blocks = reply_blocks(state["draft"])
        draft = state["draft"]
        for fault in state["reviews"][-1]["faults"][:REPAIRS_PER_ROUND]:
            block = blocks[fault["block"]]
            code = mended_without_the_model(block.code, fault["message"]) or self._rewrite(
                state, block, fault["message"]
            )
            if code is not None:
                draft = replace_block(draft, block, code)
        return {"draft": draft, "round": state["round"] + 1}

    def _rewrite(self, state: TutorState, block: ReplyBlock, fault: str) -> str | None:
        """The model's rewrite of `block` from its error, or None when the reply holds no code or cuts the block."""
        first = block.code.strip().splitlines()[0][:60]
        reply = self.llm.chat(
            [
                *_draft_conversation(state),
                {"role": "user", "content": prompts.REPAIR.format(first=first, error=fault)},
            ],
            purpose="tutor-repair",
            temperature=0.4,
            seed=state["round"],
            max_tokens=min(REPLY_TOKENS[state["mode"]], 80 + len(block.body) // 2),
        )
        written = python_blocks(reply)
        if not written or not keeps_the_block(block.code, written[0]):
            log.info("block repair discarded: %s", "no code" if not written else "it cuts the block")
            return None
        return written[0]

    def revise(self, state: TutorState) -> dict[str, Any]:
        problems = "\n".join(f"- {problem}" for problem in state["reviews"][-1]["problems"])
        messages = [
            *_draft_conversation(state),
            {"role": "user", "content": prompts.REVISE.format(problems=problems)},
        ]
        # Sampled: at temperature 0 a small model asked to fix its reply tends to repeat it.
        reply = self.llm.chat(
            messages,
            purpose="tutor-revise",
            temperature=0.4,
            seed=state["round"],
            max_tokens=REPLY_TOKENS[state["mode"]],
        )
        return {"draft": whole_sentences(reply), "round": state["round"] + 1}

    def answer(self, state: TutorState) -> dict[str, Any]:
        reply = state["draft"].strip()
        if state["mode"] == "hint" and code_lines(reply) > HINT_CODE_LINES:
            reply = f"{strip_code(reply)}\n\n{HINT_CODE_REMOVED}"
        if state.get("notes"):
            reply = "\n".join(state["notes"]) + "\n\n" + reply
        turn = {"question": state["question"], "answer": reply, "mode": state["mode"]}
        hints = state.get("hints_given", 0) + (1 if state["mode"] == "hint" else 0)
        return {"answer": reply, "history": [turn], "hints_given": hints}


def _request(state: TutorState) -> TutorRequest:
    return TutorRequest(state["question"], state.get("code", ""), state.get("error", ""))


def _system(language: str) -> str:
    return prompts.SYSTEM.format(language=prompts.LANGUAGE_NAMES.get(language, "English"))


def _passages_text(passages: list[dict[str, Any]], limit: int) -> str:
    if not passages:
        return "Documentation passages: none found."
    return "Documentation passages:\n" + "\n\n".join(
        f"[{number}] {p['path']}\n{excerpt(p['text'], limit)}" for number, p in enumerate(passages, start=1)
    )


def excerpt(text: str, limit: int) -> str:
    """The head of `text` within `limit` characters, cut after a paragraph or sentence in its second half when
    there is one, else after a word; marked with "…" when cut."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    ends = [head.rfind(mark) + len(mark) for mark in ("\n\n", ". ", ".\n")]
    cut = max(ends) if max(ends) > limit // 2 else head.rfind(" ")
    return head[: cut if cut > 0 else limit].rstrip() + " …"


def _draft_conversation(state: TutorState) -> list[dict[str, str]]:
    """The messages that wrote the current draft, the draft last: what a review or a revision continues."""
    return [
        {"role": "system", "content": _system(state["language"])},
        {"role": "user", "content": _draft_prompt(state)},
        {"role": "assistant", "content": state["draft"]},
    ]


def _draft_prompt(state: TutorState) -> str:
    recent = state.get("history", [])[-HISTORY_TURNS:]
    history = (
        prompts.HISTORY.format(
            turns="\n".join(f"Learner: {t['question'][:300]}\nMolly: {t['answer'][:400]}" for t in recent)
        )
        if recent
        else ""
    )
    fields = {
        "passages": _passages_text(state["passages"], PASSAGE_CHARS[state["mode"]]),
        "history": history,
        "request": render_request(_request(state)),
    }
    if state["mode"] == "hint":
        return prompts.HINT.format(hint_number=state.get("hints_given", 0) + 1, **fields)
    return prompts.EXPLAIN.format(**fields)
