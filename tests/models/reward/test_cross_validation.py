"""Cross-validation over problems: disjoint seeded folds, no problem scored by a model trained on it, pooled metrics."""

import pytest

from corta.errors import DatasetError
from corta.models.reward.cross_validation import cross_validate, problem_folds
from corta.models.reward.training_data import StepExample


def test_folds_are_disjoint_cover_every_problem_and_follow_the_seed():
    ids = [f"p{i}" for i in range(10)]
    folds = problem_folds([*ids, "p3"], 4, seed=1)
    assert sorted(len(fold) for fold in folds) == [2, 2, 3, 3]
    assert sorted(i for fold in folds for i in fold) == sorted(ids)
    assert problem_folds(reversed(ids), 4, seed=1) == folds
    assert problem_folds(ids, 4, seed=2) != folds


@pytest.mark.parametrize("folds", [1, 4])
def test_impossible_fold_counts_are_dataset_errors(folds):
    with pytest.raises(DatasetError, match="needs 2 to 3 folds for 3 problems"):
        problem_folds(["a", "b", "c"], folds)


class Lookup:
    """A PRM that scores a prefix by whether its newest step was labelled correct in training, 0.5 if unseen."""

    def __init__(self, examples: list[StepExample]) -> None:
        self.known = {example.steps[-1]: example.label for example in examples}

    def score_steps(self, question: str, steps: list[str]) -> list[float]:
        return [self.known.get(step, 0.5) for step in steps]


def test_each_fold_is_scored_by_a_model_trained_without_it():
    examples = [
        StepExample(problem, "q", (f"{problem} {kind}",), label, kind)
        for problem in ("a", "b", "c", "d")
        for kind, label in (("right", 1.0), ("wrong", 0.0))
    ]
    trained_on: list[set[str]] = []

    def train(fold_examples: list[StepExample]) -> Lookup:
        trained_on.append({example.problem_id for example in fold_examples})
        return Lookup(fold_examples)

    result = cross_validate(examples, train, folds=2, seed=0)
    assert [set(fold) for fold in result.folds] == [{"a", "b", "c", "d"} - seen for seen in trained_on]
    # A model that only memorises its training steps knows nothing of the held-out ones: every score is 0.5.
    assert result.pooled.examples == 8 and result.pooled.roc_auc == 0.5
    assert [metrics.examples for metrics in result.fold_metrics] == [4, 4]
