"""Cross-validating a trained PRM over problems: every gold problem is scored once, by a model never trained on it.

Ten held-out problems give an AUC that moves by a few hundredths with the split. With k folds each problem is held
out once; the scores of all folds are pooled into one set of step metrics (and each fold's AUC is kept, to show the
spread). Folds are a seeded shuffle of the problem ids dealt out in turn, so they are disjoint and reproducible.
"""

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from corta.errors import DatasetError
from corta.models.reward.base import ProcessRewardModel
from corta.models.reward.evaluation import StepMetrics, score_examples, step_metrics
from corta.models.reward.training_data import StepExample


@dataclass(frozen=True)
class CrossValidation:
    """Each fold's problem ids and step metrics, and the metrics of all folds' scores pooled."""

    folds: list[list[str]]
    fold_metrics: list[StepMetrics]
    pooled: StepMetrics


def problem_folds(ids: Iterable[str], folds: int, seed: int = 0) -> list[list[str]]:
    """The problem ids in `folds` disjoint folds of near-equal size, from a seeded shuffle.

    Raises
    ------
    DatasetError
        If there are fewer problems than folds, or fewer than two folds.
    """
    shuffled = sorted(set(ids))
    if not 2 <= folds <= len(shuffled):
        raise DatasetError(f"Cross-validation needs 2 to {len(shuffled)} folds for {len(shuffled)} problems.")
    random.Random(seed).shuffle(shuffled)
    return [sorted(shuffled[fold::folds]) for fold in range(folds)]


def cross_validate(
    examples: Sequence[StepExample],
    train: Callable[[list[StepExample]], ProcessRewardModel],
    folds: int = 4,
    seed: int = 0,
) -> CrossValidation:
    """Train with `train` on all problems but one fold's, score that fold's examples, for every fold."""
    assignment = problem_folds((example.problem_id for example in examples), folds, seed)
    fold_metrics, scored, scores = [], [], []
    for held in map(set, assignment):
        prm = train([example for example in examples if example.problem_id not in held])
        held_out = [example for example in examples if example.problem_id in held]
        fold_scores = score_examples(prm, held_out)
        fold_metrics.append(step_metrics(held_out, fold_scores))
        scored += held_out
        scores += fold_scores
    return CrossValidation(assignment, fold_metrics, step_metrics(scored, scores))
