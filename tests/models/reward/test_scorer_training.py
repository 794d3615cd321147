"""Fine-tuning the scorer: which prefixes it learns from, how they are batched, what the run records."""

import pytest
import torch

from corta.models.reward.scorer import ScorerPRM
from corta.models.reward.scorer_training import _batches, _ranking_loss, fit, training_groups
from corta.models.reward.training_data import StepExample


def example(problem: str, steps: tuple[str, ...], label: float, wrong_from: int | None = None) -> StepExample:
    return StepExample(
        problem, f"question {problem}", steps, label, "gold" if label else "perturbed", wrong_from
    )


EXAMPLES = [
    example("p", ("wrong L1",), 0.0, 0),
    example("p", ("L1",), 1.0),
    example("p", ("L1", "L2"), 1.0),
    # Wrong only through its first step: left to the scorer's running minimum.
    example("p", ("wrong L1", "L2"), 0.0, 0),
    example("p", ("L1", "wrong L2"), 0.0, 1),
    example("q", ("M1",), 1.0),
]


def test_groups_hold_one_problem_and_length_with_the_correct_prefix_first():
    groups = training_groups(EXAMPLES)
    assert [[e.steps for e in group] for group in groups] == [
        [("L1",), ("wrong L1",)],
        [("L1", "L2"), ("L1", "wrong L2")],
        [("M1",)],
    ]


def test_batches_never_split_a_group():
    groups = training_groups(EXAMPLES)
    assert [[len(group) for group in batch] for batch in _batches(groups, 3)] == [[2], [2, 1]]
    assert [[len(group) for group in batch] for batch in _batches(groups, 1)] == [[2], [2], [1]]


def test_ranking_loss_compares_within_groups_only():
    groups = training_groups(EXAMPLES)
    logits = torch.tensor([2.0, -2.0, 0.0, 0.0, 5.0])
    expected = torch.nn.functional.softplus(torch.tensor([-4.0, 0.0])).mean()
    assert _ranking_loss(logits, groups) == pytest.approx(expected.item())
    assert _ranking_loss(torch.tensor([1.0]), [groups[2]]).item() == 0.0


def test_ranking_loss_puts_every_correct_prefix_above_every_wrong_one():
    group = [example("p", ("L1",), 1.0), example("p", ("L1 again",), 1.0), example("p", ("bad",), 0.0, 0)]
    logits = torch.tensor([3.0, 1.0, 2.0])
    expected = torch.nn.functional.softplus(torch.tensor([-1.0, 1.0])).mean()
    assert _ranking_loss(logits, [group]) == pytest.approx(expected.item())


def test_fit_records_its_run():
    torch.set_num_threads(1)
    scorer = ScorerPRM.untrained(max_length=32)
    losses = fit(scorer, EXAMPLES, epochs=2, batch_size=4, frozen_layers=5)
    assert len(losses) == 2 and all(loss > 0 for loss in losses)
    assert (
        scorer.info["examples"] == 5 and scorer.info["positives"] == 3 and scorer.info["frozen_layers"] == 5
    )
    assert not scorer.model.training
