"""Step-level quality of a process reward model on labelled prefixes: accuracy, F1 and ROC AUC.

Each labelled prefix is one decision. Prefixes of the same partial model are scored in one `score_steps` call on the
longest, so a PRM reads every step sequence once. The overall AUC mixes levels, and wrong prefixes are more common
at later levels, so a PRM that only learns "later is riskier" scores well on it; the AUC within each level and the
pairwise accuracy (a correct prefix above each wrong one of the same problem and level, what a beam search needs)
show whether it tells a mistake from its correction.
"""

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from corta.models.reward.base import ProcessRewardModel
from corta.models.reward.training_data import StepExample


@dataclass(frozen=True)
class StepMetrics:
    """Step-level results; a prefix is predicted correct when its score is at least `threshold`.

    `f1` is that of the correct class, `f1_wrong` that of the wrong class (finding mistakes); `roc_auc_by_level`
    is the AUC among the prefixes of each length (L1, L2, L3); `pairwise_accuracy` the share of (correct, wrong)
    pairs of the same problem and length ranked correctly, ties counting half.
    """

    examples: int
    positives: int
    threshold: float
    accuracy: float
    f1: float
    f1_wrong: float
    roc_auc: float
    roc_auc_by_level: dict[str, float]
    pairwise_accuracy: float
    by_origin: dict[str, dict[str, float]]

    def to_json(self) -> dict[str, Any]:
        """The metrics as JSON-ready data (an undefined AUC as null)."""
        data = asdict(self)
        data["roc_auc_by_level"] = {level: _finite(auc) for level, auc in self.roc_auc_by_level.items()}
        data["roc_auc"], data["pairwise_accuracy"] = _finite(self.roc_auc), _finite(self.pairwise_accuracy)
        return data


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


def score_examples(prm: ProcessRewardModel, examples: Sequence[StepExample]) -> list[float]:
    """The PRM's score of each example's last step, reading each step sequence once."""
    scores: dict[tuple[str, tuple[str, ...]], float] = {}
    for example in sorted(examples, key=lambda item: -len(item.steps)):
        if (example.question, example.steps) in scores:
            continue
        for i, score in enumerate(prm.score_steps(example.question, list(example.steps))):
            scores.setdefault((example.question, example.steps[: i + 1]), score)
    return [scores[(example.question, example.steps)] for example in examples]


def roc_auc(labels: Sequence[float], scores: Sequence[float]) -> float:
    """P(a random positive scores above a random negative), ties counting half (the Mann–Whitney statistic)."""
    ranked = sorted(zip(scores, labels, strict=True))
    rank_sum, position = 0.0, 0
    while position < len(ranked):
        end = position
        while end < len(ranked) and ranked[end][0] == ranked[position][0]:
            end += 1
        mean_rank = (position + 1 + end) / 2
        rank_sum += mean_rank * sum(label >= 0.5 for _, label in ranked[position:end])
        position = end
    positives = sum(label >= 0.5 for label in labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def _f1(truth: Sequence[bool], predicted: Sequence[bool]) -> float:
    hits = sum(t and p for t, p in zip(truth, predicted, strict=True))
    denominator = sum(truth) + sum(predicted)
    return 2 * hits / denominator if denominator else 0.0


def pairwise_accuracy(examples: Sequence[StepExample], scores: Sequence[float]) -> float:
    """The share of (correct, wrong) pairs of the same problem and length where the correct one scores higher."""
    groups: dict[tuple[str, int], list[tuple[bool, float]]] = defaultdict(list)
    for example, score in zip(examples, scores, strict=True):
        groups[(example.problem_id, len(example.steps))].append((example.label >= 0.5, score))
    pairs = [
        (right, wrong)
        for group in groups.values()
        for correct, right in group
        if correct
        for other, wrong in group
        if not other
    ]
    if not pairs:
        return float("nan")
    return sum(1.0 if right > wrong else 0.5 if right == wrong else 0.0 for right, wrong in pairs) / len(
        pairs
    )


def step_metrics(
    examples: Sequence[StepExample], scores: Sequence[float], threshold: float = 0.5
) -> StepMetrics:
    """Accuracy, F1 (both classes), ROC AUC overall and by level, pairwise accuracy, and results per origin."""
    labels = [example.label for example in examples]
    truth = [label >= 0.5 for label in labels]
    predicted = [score >= threshold for score in scores]
    groups: dict[str, list[tuple[bool, bool, float]]] = defaultdict(list)
    for example, t, p, score in zip(examples, truth, predicted, scores, strict=True):
        groups[example.origin].append((t, p, score))
    by_origin = {
        origin: {
            "count": len(rows),
            "mean_score": round(sum(score for *_, score in rows) / len(rows), 4),
            "accuracy": round(sum(t == p for t, p, _ in rows) / len(rows), 4),
        }
        for origin, rows in sorted(groups.items())
    }
    lengths = sorted({len(example.steps) for example in examples})
    by_level = {
        f"L{length}": roc_auc(
            [label for label, e in zip(labels, examples, strict=True) if len(e.steps) == length],
            [score for score, e in zip(scores, examples, strict=True) if len(e.steps) == length],
        )
        for length in lengths
    }
    return StepMetrics(
        examples=len(labels),
        positives=sum(truth),
        threshold=threshold,
        accuracy=sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(labels) if labels else 0.0,
        f1=_f1(truth, predicted),
        f1_wrong=_f1([not t for t in truth], [not p for p in predicted]),
        roc_auc=roc_auc(labels, scores),
        roc_auc_by_level=by_level,
        pairwise_accuracy=pairwise_accuracy(examples, scores),
        by_origin=by_origin,
    )


def evaluate_prm(
    prm: ProcessRewardModel, examples: Sequence[StepExample], threshold: float = 0.5
) -> StepMetrics:
    """Score every example with `prm` and measure it against the labels."""
    return step_metrics(examples, score_examples(prm, examples), threshold)
