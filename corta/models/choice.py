"""Read a judge's A-or-B verdict as a probability, from the log-probabilities of its first token."""

import math

from corta.models.llm import ScoredCompletion


def probability_of_a(reply: ScoredCompletion) -> float:
    """P(A) / (P(A) + P(B)) over the first token's alternatives ("A", " a", … count alike); 0.5 when neither letter
    is among them or the reply is empty."""
    if not reply.tokens:
        return 0.5
    first = reply.tokens[0]
    top = first.top or {first.token: first.logprob}
    p_a = sum(math.exp(logprob) for token, logprob in top.items() if token.strip().upper() == "A")
    p_b = sum(math.exp(logprob) for token, logprob in top.items() if token.strip().upper() == "B")
    return p_a / (p_a + p_b) if p_a + p_b > 0 else 0.5
