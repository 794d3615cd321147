"""Step-level metrics: ROC AUC as the Mann–Whitney statistic, F1 of both classes, one PRM call per sequence."""

import math

import pytest

from corta.models.reward.evaluation import evaluate_prm, roc_auc, score_examples, step_metrics
from corta.models.reward.training_data import StepExample


def test_roc_auc_counts_ordered_pairs_and_half_ties():
    assert roc_auc([1, 1, 0, 0], [0.9, 0.8, 0.3, 0.1]) == 1.0
    assert roc_auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == 0.0
    assert roc_auc([1, 0], [0.5, 0.5]) == 0.5
    assert roc_auc([1, 0, 1, 0], [0.9, 0.7, 0.6, 0.2]) == pytest.approx(0.75)
    assert math.isnan(roc_auc([1, 1], [0.2, 0.3]))


def test_step_metrics_accuracy_f1_levels_pairs_and_origins():
    examples = [
        StepExample("p", "q", ("a",), 1.0, "gold"),
        StepExample("p", "q", ("a", "b"), 1.0, "gold"),
        StepExample("p", "q", ("x",), 0.0, "scale_data", 0),
        StepExample("r", "q", ("a", "y"), 0.0, "flip_sense", 1),
    ]
    metrics = step_metrics(examples, [0.9, 0.4, 0.6, 0.1])
    assert metrics.accuracy == 0.5
    assert metrics.f1 == pytest.approx(0.5) and metrics.f1_wrong == pytest.approx(0.5)
    assert metrics.roc_auc == pytest.approx(0.75)
    assert metrics.roc_auc_by_level == {"L1": 1.0, "L2": 1.0}
    assert metrics.pairwise_accuracy == 1.0  # one pair: problem p at L1 (the L2 prefixes are of two problems)
    assert metrics.by_origin["gold"] == {"count": 2, "mean_score": 0.65, "accuracy": 0.5}
    assert metrics.to_json()["positives"] == 2


def test_undefined_aucs_are_null_in_json():
    metrics = step_metrics([StepExample("p", "q", ("a",), 1.0, "gold")], [0.7])
    data = metrics.to_json()
    assert (
        data["roc_auc"] is None
        and data["roc_auc_by_level"] == {"L1": None}
        and data["pairwise_accuracy"] is None
    )


class CountingPRM:
    """Scores a prefix by its length (0.9 for one step, 0.8 for two, …) and counts the calls."""

    def __init__(self) -> None:
        self.calls = 0

    def score_steps(self, question: str, steps: list[str]) -> list[float]:
        self.calls += 1
        return [1.0 - 0.1 * (i + 1) for i in range(len(steps))]


def example(steps: tuple[str, ...], label: float) -> StepExample:
    return StepExample("p", "q", steps, label, "gold" if label else "flip")


def test_each_step_sequence_is_scored_once():
    examples = [
        example(("a",), 1),
        example(("a", "b"), 1),
        example(("a", "b", "c"), 1),
        example(("a", "x"), 0),
    ]
    prm = CountingPRM()
    assert score_examples(prm, examples) == pytest.approx([0.9, 0.8, 0.7, 0.8])
    assert prm.calls == 2
    metrics = evaluate_prm(CountingPRM(), examples)
    assert metrics.examples == 4 and metrics.positives == 3
