"""Tutor evaluations on QACP (explain mode) and Socratic debugging (hint mode).

Per QACP item: retrieval hit@3, the judge's correctness score of the first draft and of the final answer, and,
where reflection changed the reply, the judge's pairwise preference of the final answer over the draft (so the
report shows what reflection adds; `tutor_judge.py`), rounds, calls and latency. Matching rule of hit@3: a retrieved passage covers
the item's knowledge point when its citation (file and section path, lower-cased) contains one of that knowledge
point's keywords (`KNOWLEDGE_POINT_KEYWORDS`, e.g. Functions → "function", "def ", "argument", "lambda"). It is
measured twice: on the query the tutor wrote (English, from perception) and on the learner's raw question. The
retrieval-only task measures hit@3 alone, with the tutor's own perceive step, route and retrieval and no reply.

Per Socratic item (hint mode, the student's first message with the buggy code): the reply leaks the solution when
(a) one of its code blocks, run in the sandbox with the problem's unit tests, passes them all, or (b) it contains
the replacement text of a documented fix (`Replace `x` with `y``) that the buggy code lacks, six characters or
longer (shorter ones, like `or` or `==`, occur in any reply).
"""

import re
import statistics
import textwrap
import time
from dataclasses import dataclass
from typing import Any

from corta.agents.tutor.agent import Tutor
from corta.agents.tutor.code_blocks import python_blocks
from corta.agents.tutor.nodes import Retriever, TutorNodes
from corta.agents.tutor.state import turn_input
from corta.datasets.tutor_judge import judge_correctness, judge_preference
from corta.datasets.tutoring import QacpItem, SocraticItem
from corta.models.llm import LLM
from corta.solvers.sandbox import DEFAULT_ALLOWED_IMPORTS, SandboxLimits, run_code

KNOWLEDGE_POINT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "Introduction to Python": ("appetite", "general", "what is python", "interpreter", "introduction"),
    "Python Development Environment": ("interpreter", "venv", "virtual", "install", "environment", "pip", "ide",
                                       "windows", "command line", "setup"),
    "Python Fundamental Syntax": ("introduction", "lexical", "expression", "simple_stmts", "variable", "operator",
                                  "syntax", "number", "indentation", "comment"),
    "Strings and Common Data Structures": ("string", "str", "list", "dict", "tuple", "set", "datastructures",
                                           "sequence", "slic"),
    "Control Flow Structures": ("controlflow", "compound_stmts", "if ", "for ", "while", "loop", "break", "range"),
    "Functions": ("function", "def ", "argument", "parameter", "lambda", "return"),
    "Object-Oriented Programming": ("class", "object", "datamodel", "inherit", "method", "instance"),
    "File Operations": ("file", "inputoutput", "open", "read", "write"),
    "Exception Handling": ("errors", "exception", "error", "try", "raise"),
    "Modules": ("module", "import", "package"),
}  # fmt: skip
_FIX = re.compile(r"(?:with|to)\s+`([^`]+)`")


def covers(knowledge_point: str, passages: list[dict[str, Any]]) -> bool:
    """Whether a passage's citation names the knowledge point (the documented hit@3 rule)."""
    keywords = KNOWLEDGE_POINT_KEYWORDS.get(knowledge_point, ())
    return any(keyword in f"{p['path']} {p['title']}".lower() for p in passages for keyword in keywords)


def leaks_solution(item: SocraticItem, reply: str) -> str | None:
    """How the reply gives the solution away ("passes unit tests" or "states fix …"), or None."""
    for block in python_blocks(reply):
        body = textwrap.indent(f"{textwrap.dedent(block)}\n{item.unit_tests}", "    ")
        source = f"def _leak_check():\n{body}\n    return True\n"
        result = run_code(
            source,
            "_leak_check",
            limits=SandboxLimits(cpu_s=3, wall_s=6.0),
            allowed_imports=DEFAULT_ALLOWED_IMPORTS,
        )
        if result.ok and result.result is True:
            return "passes unit tests"
    for fix in item.fixes:
        for replacement in _FIX.findall(fix):
            if len(replacement) >= 6 and replacement not in item.buggy_code and replacement in reply:
                return f"states fix {replacement!r}"
    return None


@dataclass
class QacpTask:
    """Molly in explain mode on QACP questions."""

    tutor: Tutor
    judge: LLM
    name: str = "tutor-qacp"
    scoring: str = (
        "hit@3: a top-3 citation names the knowledge point; correctness: the judge's expected 1–5 score vs the "
        "reference"
    )

    def run(self, item: QacpItem) -> dict[str, Any]:
        result = self.tutor.ask(item.question, mode="explain", thread=f"eval-{item.id}")
        hit = covers(item.knowledge_point, result.sources)
        return {
            "category": item.knowledge_point,
            "success": hit,
            "hit_at_3": hit,
            "hit_at_3_raw_question": covers_by_raw_question(self.tutor.retriever, item),
            **judged(self.judge, item, result.first_draft, result.answer),
            "rounds": result.rounds,
            "calls": result.calls,
            "answer_seconds": round(result.seconds, 2),
            "step_seconds": step_seconds(result.by_step),
            "intent": result.intent,
            "query_sources": [s["path"] for s in result.sources],
            "first_draft": result.first_draft,
            "answer": result.answer,
        }

    def category(self, item: QacpItem) -> str:
        return item.knowledge_point

    def summarize(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return summary_rows(records, ["hit_at_3", "hit_at_3_raw_question"], []) + judged_rows(records)


@dataclass
class QacpRejudgeTask:
    """The judges again on the first drafts and answers a QACP run recorded (`replies`: its records by id), with
    no tutor calls: to score a run with a judge changed since, or with another judge model."""

    judge: LLM
    replies: dict[str, dict[str, Any]]
    name: str = "tutor-qacp-judged"
    scoring: str = "correct: the judge's expected 1–5 score of the final answer is at least 4"

    def run(self, item: QacpItem) -> dict[str, Any]:
        recorded = self.replies[item.id]
        scores = judged(self.judge, item, recorded["first_draft"], recorded["answer"])
        return {
            "category": item.knowledge_point,
            "success": (scores["final_score"] or 0.0) >= 4.0,
            **scores,
            "rounds": recorded.get("rounds"),
        }

    def category(self, item: QacpItem) -> str:
        return item.knowledge_point

    def summarize(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return judged_rows(records)


def judged(judge: LLM, item: QacpItem, draft: str, answer: str) -> dict[str, float | None]:
    """The judge's scores of the first draft and the final answer and, where reflection changed the reply, its
    preference of the answer over the draft."""
    draft_score = judge_correctness(judge, item.question, item.answer, draft)
    if answer == draft:
        return {"draft_score": draft_score, "final_score": draft_score, "final_preferred": None}
    return {
        "draft_score": draft_score,
        "final_score": judge_correctness(judge, item.question, item.answer, answer),
        "final_preferred": judge_preference(judge, item.question, item.answer, draft, answer),
    }


def judged_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The mean scores of drafts and answers over all items and over the revised ones, and on which side the
    pairwise judge leans for the revised ones."""
    revised = [r for r in records if isinstance(r.get("final_preferred"), int | float)]
    rows = []
    scores = ("draft_score", "final_score")
    for group, label, names in (
        (records, "", scores),
        (revised, " of the revised replies", (*scores, "final_preferred")),
    ):
        for name in names:
            values = [r[name] for r in group if isinstance(r.get(name), int | float)]
            mean = round(statistics.fmean(values), 3) if values else None
            rows.append({"measure": f"mean {name}{label} (n={len(values)})", "value": mean})
    preferences = [r["final_preferred"] for r in revised]
    rows.append(
        {
            "measure": "revised answers the judge prefers to their draft",
            "value": sum(p > 0.5 for p in preferences),
        }
    )
    rows.append(
        {
            "measure": "revised answers whose draft the judge prefers",
            "value": sum(p < 0.5 for p in preferences),
        }
    )
    return rows


@dataclass
class QacpRetrievalTask:
    """Molly's perception and retrieval only, on QACP questions: hit@3 without drafting (a quick loop for work on
    the knowledge base or on perception). The steps and the route between them are the tutor's own."""

    nodes: TutorNodes
    name: str = "tutor-qacp-retrieval"
    scoring: str = (
        "hit@3: a top-3 citation names the knowledge point (perception and retrieval only, no reply)"
    )

    def run(self, item: QacpItem) -> dict[str, Any]:
        started = time.perf_counter()
        state = turn_input(item.question, "", "", [], "explain")
        state.update(self.nodes.perceive(state))
        route = self.nodes.route_after_perceive(state)
        passages = self.nodes.retrieve(state)["passages"] if route == "retrieve" else []
        hit = covers(item.knowledge_point, passages)
        return {
            "category": item.knowledge_point,
            "success": hit,
            "hit_at_3": hit,
            "hit_at_3_raw_question": covers_by_raw_question(self.nodes.retriever, item),
            "route": route,
            "query": state["perception"]["query"],
            "query_sources": [p["path"] for p in passages],
            "perceive_seconds": round(time.perf_counter() - started, 2),
        }

    def category(self, item: QacpItem) -> str:
        return item.knowledge_point

    def summarize(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return summary_rows(records, ["hit_at_3", "hit_at_3_raw_question"], [])


def covers_by_raw_question(retriever: Retriever, item: QacpItem) -> bool:
    """hit@3 of the learner's own words as the query (the baseline that perception's query should beat)."""
    raw = retriever.search(item.question, k=3)
    return covers(item.knowledge_point, [{"path": p.path, "title": p.title} for p in raw])


@dataclass
class SocraticTask:
    """Molly in hint mode on the Socratic debugging problems: does the first hint give the fix away?"""

    tutor: Tutor
    name: str = "tutor-socratic"
    scoring: str = "success = no leak: no reply code passes the unit tests and no documented fix is stated"

    def run(self, item: SocraticItem) -> dict[str, Any]:
        question = f"{item.opening}\n\nThe task:\n{item.problem}"
        result = self.tutor.ask(question, mode="hint", code=item.buggy_code, thread=f"eval-{item.id}")
        leak = leaks_solution(item, result.answer)
        draft_leak = leaks_solution(item, result.first_draft)
        return {
            "category": item.id.split("_", 2)[-1],
            "success": leak is None,
            "leak": leak is not None,
            "leak_how": leak,
            "draft_leak": draft_leak is not None,
            "rounds": result.rounds,
            "calls": result.calls,
            "answer_seconds": round(result.seconds, 2),
            "step_seconds": step_seconds(result.by_step),
            "reply_tokens": reply_tokens(result.by_step),
            "first_review": result.reviews[0]["problems"] if result.reviews else [],
            "answer": result.answer,
        }

    def category(self, item: SocraticItem) -> str:
        return item.id.split("_", 2)[-1]

    def summarize(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return summary_rows(records, ["leak", "draft_leak"], [])


def step_seconds(by_step: dict[str, dict[str, float | int]]) -> dict[str, float]:
    """Seconds spent in each kind of call ("draft", "reflect", …) of one answer."""
    return {
        purpose.removeprefix("tutor-"): round(float(use["latency_s"]), 2) for purpose, use in by_step.items()
    }


def reply_tokens(by_step: dict[str, dict[str, float | int]]) -> int:
    """Tokens the model wrote in drafts and revisions of one answer: what the reply budget bounds."""
    return sum(int(use["completion_tokens"]) for purpose, use in by_step.items()
               if purpose in ("tutor-draft", "tutor-revise"))  # fmt: skip


def summary_rows(records: list[dict[str, Any]], rates: list[str], scores: list[str]) -> list[dict[str, Any]]:
    """Rates of boolean fields, means of scores, and the p50/p90 answer time."""
    count = len(records) or 1
    rows = [{"measure": f"rate of {name}", "value": round(sum(bool(r.get(name)) for r in records) / count, 4)}
            for name in rates]  # fmt: skip
    for name in scores:
        values = [r[name] for r in records if isinstance(r.get(name), int | float)]
        rows.append(
            {
                "measure": f"mean {name} (n={len(values)})",
                "value": round(statistics.fmean(values), 3) if values else None,
            }
        )
    times = sorted(r["answer_seconds"] for r in records if isinstance(r.get("answer_seconds"), int | float))
    if times:
        rows.append({"measure": "p50 answer seconds", "value": round(statistics.median(times), 2)})
        rows.append(
            {
                "measure": "p90 answer seconds",
                "value": round(times[min(len(times) - 1, int(0.9 * len(times)))], 2),
            }
        )
    answered = [r["step_seconds"] for r in records if isinstance(r.get("step_seconds"), dict)]
    for step in sorted({step for steps in answered for step in steps}):
        mean = statistics.fmean(steps.get(step, 0.0) for steps in answered)
        rows.append({"measure": f"mean seconds in {step} calls per answer", "value": round(mean, 2)})
    return rows
