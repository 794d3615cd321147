"""The evaluation's judges of a tutor reply against a QACP reference answer.

Both judges answer with one token and are read through its log-probabilities, not through the token they write.
`judge_correctness` is the expected 1–5 score, Σ s·P(s) over the digits (G-Eval's probability-weighted scoring, Liu
et al. 2023): asked for a JSON score, the 1.5B judge gave 5 to all 40 first drafts and all 40 final answers of the
QACP sample, so the written score could not show what reflection adds, while the weights on 4 and 5 still differ.
`judge_preference` compares the first draft and the final answer side by side, as pairwise evaluation does when
pointwise scores saturate. The judge reads the pair twice, once in each order, so a judge that favours a position
cancels out: asked for a JSON vote, the 1.5B judge split its votes by position or answered "same" on all of the
first 8 revised QACP answers.

The question and the reference open every prompt, so on llama.cpp the calls about one item reuse the cache the first
of them left (the reference is often the longest part).
"""

from corta.models.choice import label_probabilities, probability_of_a
from corta.models.llm import LLM

SCORES = ("1", "2", "3", "4", "5")
REFERENCE_CHARS = 1500
REPLY_CHARS = 2000

CONTEXT = """Question of a Python learner:
{question}

Reference answer:
{reference}

"""

JUDGE_PROMPT = """Tutor's reply:
{reply}

Score the tutor's reply for correctness against the reference (5: fully correct; 3: partly correct or vague;
1: wrong or off-topic). Missing details the reference has lower the score only if the question needs them.
Answer with one digit from 1 to 5."""

PREFERENCE_PROMPT = """Reply A:
{first}

Reply B:
{second}

Which reply is more correct against the reference: fewer wrong statements, and the code right? Answer A or B."""


def judge_correctness(llm: LLM, question: str, reference: str, reply: str) -> float | None:
    """The judge's expected 1–5 correctness score of `reply`; None when it named no score."""
    prompt = _context(question, reference) + JUDGE_PROMPT.format(reply=reply[:REPLY_CHARS])
    verdict = llm.chat_with_logprobs(prompt, purpose="tutor-judge", top_logprobs=10)
    probabilities = label_probabilities(verdict, SCORES)
    if probabilities is None:
        return None
    return round(sum(int(score) * p for score, p in probabilities.items()), 4)


def judge_preference(llm: LLM, question: str, reference: str, draft: str, answer: str) -> float:
    """P(`answer` is more correct than `draft`) by the judge, averaged over both orders: 1 means the answer, 0 the
    draft, 0.5 no preference."""
    in_order = [(draft, answer), (answer, draft)]
    p_a = [
        probability_of_a(
            llm.chat_with_logprobs(
                _context(question, reference)
                + PREFERENCE_PROMPT.format(first=first[:REPLY_CHARS], second=second[:REPLY_CHARS]),
                purpose="tutor-judge-preference",
                top_logprobs=10,
            )
        )
        for first, second in in_order
    ]
    return round(((1.0 - p_a[0]) + p_a[1]) / 2, 4)  # the answer is B in the first order and A in the second


def _context(question: str, reference: str) -> str:
    return CONTEXT.format(question=question, reference=reference[:REFERENCE_CHARS])
