"""The evaluation's judges of a tutor reply against a QACP reference answer.

`judge_correctness` scores one reply 1–5. On the 1.5B model it gave 5 to all 40 first drafts and all 40 final
answers of the QACP sample, so it cannot show what reflection adds. `judge_preference` compares the first draft and
the final answer side by side, as pairwise evaluation does when pointwise scores saturate. The judge reads the pair
twice, once in each order, so a judge that favours a position cancels out, and its verdict is read as a probability
(the log-probabilities of "A" and "B"), not as a vote: asked for a JSON vote, the 1.5B judge split its votes by
position or answered "same" on all of the first 8 revised QACP answers, while the probabilities still say which way
and how strongly it leans.
"""

from pydantic import BaseModel, Field

from corta.errors import LLMOutputError
from corta.models.choice import probability_of_a
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

Which reply is more correct against the reference: fewer wrong statements, and the code right? Answer A or B."""


class Judgement(BaseModel):
    score: int = Field(ge=1, le=5)


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


def judge_preference(llm: LLM, question: str, reference: str, draft: str, answer: str) -> float:
    """P(`answer` is more correct than `draft`) by the judge, averaged over both orders: 1 means the answer, 0 the
    draft, 0.5 no preference."""
    in_order = [(draft, answer), (answer, draft)]
    p_a = [
        probability_of_a(
            llm.chat_with_logprobs(
                PREFERENCE_PROMPT.format(
                    question=question, reference=reference[:1500], first=first[:2000], second=second[:2000]
                ),
                purpose="tutor-judge-preference",
                top_logprobs=10,
            )
        )
        for first, second in in_order
    ]
    return ((1.0 - p_a[0]) + p_a[1]) / 2  # the answer is B in the first order and A in the second
