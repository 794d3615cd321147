"""A one-token verdict read as probabilities."""

import math

import pytest

from corta.models.choice import label_probabilities, probability_of_a
from corta.models.llm import ScoredCompletion, TokenLogprob


def verdict(top: dict[str, float]) -> ScoredCompletion:
    token = max(top, key=lambda t: top[t])
    return ScoredCompletion(token, [TokenLogprob(token, top[token], top)])


def test_spellings_of_a_label_add_up_and_other_tokens_are_left_out():
    reply = verdict({"A": math.log(0.4), " a": math.log(0.2), "B": math.log(0.2), "The": math.log(0.2)})
    assert label_probabilities(reply, ("A", "B")) == pytest.approx({"A": 0.75, "B": 0.25})
    assert probability_of_a(reply) == pytest.approx(0.75)


def test_a_verdict_without_a_label_has_no_probabilities():
    assert label_probabilities(verdict({"Both": -0.1}), ("A", "B")) is None
    assert probability_of_a(ScoredCompletion("", [])) == 0.5
