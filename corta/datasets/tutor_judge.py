"""The evaluation's judges of a tutor reply against a QACP reference answer.

`judge_correctness` scores one reply 1–5. On the 1.5B model it gave 5 to all 40 first drafts and all 40 final
answers of the QACP sample, so it cannot show what reflection adds. `judge_preference` compares the first draft and
the final answer side by side, as pairwise evaluation does when pointwise scores saturate: the judge picks the more
correct reply twice, once in each order, so a judge that favours a position cancels out.
"""

from typing import Literal

from pydantic import BaseModel, Field

from corta.errors import LLMOutputError
from corta.models.llm import LLM

JUDGE_PROMPT = """Question of a Python learner:
{question}

Reference answer:
{reference}

Tutor's reply:
{reply}

Score the tutor's reply for correctness against the reference (5: fully correct; 3: partly correct or vague;
1: wrong or off-topic). Missing details the reference has lower the score only if the question needs them."""

PREFERENCE_PROMPT = """Question of a Python learner:
{question}

Reference answer:
{reference}

Reply A:
{first}

Reply B:
{second}

Which reply is more correct against the reference: fewer wrong statements, and the code right? Answer A or B;
answer "same" only if neither is more correct."""


class Judgement(BaseModel):
    score: int = Field(ge=1, le=5)


class Preference(BaseModel):
    better: Literal["A", "B", "same"]


def judge_correctness(llm: LLM, question: str, reference: str, reply: str) -> int | None:
    """The judge's 1–5 correctness score of `reply` (None if its reply was unusable)."""
    try:
        verdict = llm.json(
            JUDGE_PROMPT.format(question=question, reference=reference[:1500], reply=reply[:2000]),
            Judgement,
            purpose="tutor-judge",
            max_tokens=40,
        )
    except LLMOutputError:
        return None
    return verdict.score


def judge_preference(llm: LLM, question: str, reference: str, draft: str, answer: str) -> float | None:
    """How much more correct the judge finds `answer` than `draft`: 1 (in both orders), 0 (the draft, in both),
    0.5 (a tie, or one vote each); None if a verdict was unusable."""
    votes = []
    for first, second, answer_label in ((draft, answer, "B"), (answer, draft, "A")):
        try:
            verdict = llm.json(
                PREFERENCE_PROMPT.format(
                    question=question, reference=reference[:1500], first=first[:2000], second=second[:2000]
                ),
                Preference,
                purpose="tutor-judge-preference",
                max_tokens=20,
            )
        except LLMOutputError:
            return None
        votes.append(0.5 if verdict.better == "same" else float(verdict.better == answer_label))
    return sum(votes) / len(votes)
