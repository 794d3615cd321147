"""A chat model as process reward model: asked whether the last step is correct, the probability it gives to "+".

One request per step prefix, one generated token with its top 5 log-probabilities; P("+") is normalised over
{"+", "-"}. A server that returns neither token (or no log-probabilities) is asked again for a JSON verdict; a
verdict that never parses scores 0.5, no information either way, and the search goes on.
"""

import logging
import math

from corta.errors import LLMOutputError
from corta.models.llm import LLM, ScoredCompletion

JUDGE_PROMPT = """Problem:
{question}

Steps so far:
{steps}

Is the last step correct? Answer + or -."""
VERDICT_PROMPT = JUDGE_PROMPT + ' Reply with JSON: {{"correct": true}} or {{"correct": false}}.'
VERDICT_SCHEMA = {"type": "object", "properties": {"correct": {"type": "boolean"}}, "required": ["correct"]}
UNDECIDED = 0.5

logger = logging.getLogger(__name__)


def plus_probability(completion: ScoredCompletion) -> float | None:
    """P("+") over {"+", "-"} at the first generated token (spaces around a token ignored); None if neither is there."""
    if not completion.tokens:
        return None
    first = completion.tokens[0]
    mass = {"+": 0.0, "-": 0.0}
    for token, logprob in {**first.top, first.token: first.logprob}.items():
        if token.strip() in mass:
            mass[token.strip()] += math.exp(logprob)
    total = mass["+"] + mass["-"]
    return mass["+"] / total if total > 0 else None


def _numbered(steps: list[str]) -> str:
    return "\n\n".join(f"Step {number}:\n{step}" for number, step in enumerate(steps, start=1))


class JudgePRM:
    """An LLM judging each step prefix.

    Parameters
    ----------
    llm
        The chat model asked; its ledger records the calls under the purpose "prm".
    """

    def __init__(self, llm: LLM) -> None:
        self.llm = llm

    def score_steps(self, question: str, steps: list[str]) -> list[float]:
        """One score per step: score i judges steps[: i + 1]."""
        return [self._score(question.strip(), steps[: i + 1]) for i in range(len(steps))]

    def _score(self, question: str, steps: list[str]) -> float:
        fields = {"question": question, "steps": _numbered(steps)}
        completion = self.llm.chat_with_logprobs(
            JUDGE_PROMPT.format(**fields), purpose="prm", top_logprobs=5, max_tokens=1
        )
        probability = plus_probability(completion)
        if probability is not None:
            return probability
        try:
            verdict = self.llm.json(VERDICT_PROMPT.format(**fields), schema=VERDICT_SCHEMA, purpose="prm")
        except LLMOutputError as error:
            logger.warning(
                "The judge gave no verdict on step %d, scored %.1f: %s", len(steps), UNDECIDED, error
            )
            return UNDECIDED
        return 1.0 if verdict["correct"] else 0.0
