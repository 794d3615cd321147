"""Read a judge's one-token verdict as probabilities, from the log-probabilities of its first token."""

import math
from collections.abc import Sequence

from corta.models.llm import ScoredCompletion


def label_probabilities(reply: ScoredCompletion, labels: Sequence[str]) -> dict[str, float] | None:
    """P(label) over `labels` among the first token's alternatives, normalised to sum to 1 (" A" and "a" count as
    "A"); None when no label is among them or the reply is empty."""
    if not reply.tokens:
        return None
    first = reply.tokens[0]
    top = first.top or {first.token: first.logprob}
    mass = {label: 0.0 for label in labels}
    for token, logprob in top.items():
        label = token.strip().upper()
        if label in mass:
            mass[label] += math.exp(logprob)
    total = sum(mass.values())
    return {label: p / total for label, p in mass.items()} if total > 0 else None


def probability_of_a(reply: ScoredCompletion) -> float:
    """P(A) against B of an A-or-B verdict; 0.5 when the judge named neither."""
    probabilities = label_probabilities(reply, ("A", "B"))
    return probabilities["A"] if probabilities else 0.5
