"""Adaptive penalty weights: up while violated, down while satisfied, within bounds."""

import pytest

from corta.solvers.routing.penalties import PenaltyWeights


def test_weights_rise_while_violated_and_fall_while_satisfied_within_bounds() -> None:
    weights = PenaltyWeights(
        {"capacity": 2.0, "coverage": 100.0},
        start=10.0,
        step=0.5,
        lowest=0.25,
        highest=30.0,
        fixed=frozenset({"coverage"}),
    )
    assert weights["capacity"] == 20.0 and weights["coverage"] == 100.0  # fixed terms do not start high
    weights.update({"capacity": 3.0, "coverage": 1.0})
    assert weights["capacity"] == 30.0 and weights["coverage"] == 100.0
    for _ in range(20):
        weights.update({"capacity": 3.0, "coverage": 0.0})
    assert weights["capacity"] == 60.0  # highest: 30 × the reference 2
    for _ in range(40):
        weights.update({"capacity": 0.0})
    assert weights["capacity"] == pytest.approx(0.5)  # lowest: 0.25 × 2
