"""TIES: trim, elect signs, disjoint mean; checked against the formula written out entry by entry and against
mergekit."""

import pytest
import torch

from corta.models.merging.methods.base import TensorGroup
from corta.models.merging.methods.ties import TIES

SHAPES = [(7, 5), (11,)]


def trimmed(delta: torch.Tensor, density: float) -> torch.Tensor:
    if density >= 1:
        return delta
    if density <= 0:
        return torch.zeros_like(delta)
    count = max(1, int(density * delta.numel()))
    threshold = delta.abs().flatten().sort(descending=True).values[count - 1]
    return torch.where(delta.abs() >= threshold, delta, 0.0)


def expected(group: TensorGroup, lambda_: float = 1.0, normalize: bool = True) -> torch.Tensor:
    """TIES one entry at a time, in plain Python."""
    assert group.base is not None
    base = group.base.flatten().tolist()
    tasks = [
        (w * trimmed(model - group.base, d)).flatten().tolist()
        for model, w, d in zip(group.models, group.weights, group.densities, strict=True)
    ]
    merged = []
    for j, theta0 in enumerate(base):
        values = [task[j] for task in tasks]
        elected = 1.0 if sum(values) >= 0 else -1.0
        agreeing = [i for i, value in enumerate(values) if value != 0 and (value > 0) == (elected > 0)]
        total = sum(values[i] for i in agreeing)
        divisor = sum(group.weights[i] for i in agreeing) or 1.0
        merged.append(theta0 + lambda_ * (total / divisor if normalize else total))
    return torch.tensor(merged).view_as(group.base)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("densities", [[0.2, 0.2, 0.2], [0.5, 0.3, 0.9], [1.0, 1.0, 1.0], [0.0, 0.4, 1.0]])
def test_ties_is_trim_elect_and_disjoint_mean(make_group, shape, densities):
    group = make_group(shape, densities=densities)
    torch.testing.assert_close(TIES.merge(group, TIES.parameters()), expected(group), rtol=0, atol=1e-6)


@pytest.mark.parametrize(("lambda_", "normalize"), [(1.0, False), (0.5, True), (2.0, False)])
def test_ties_lambda_and_normalize(make_group, lambda_, normalize):
    group = make_group((7, 5), weights=[0.5, 1.5], densities=[0.2, 0.6])
    parameters = TIES.parameters.model_validate({"lambda": lambda_, "normalize": normalize})
    torch.testing.assert_close(
        TIES.merge(group, parameters), expected(group, lambda_, normalize), rtol=0, atol=1e-6
    )


def test_ties_defaults_are_mergekits():
    parameters = TIES.parameters()
    assert (parameters.normalize, parameters.rescale, parameters.lambda_) == (True, False, 1.0)


def test_a_tied_sign_vote_elects_plus():
    base = torch.zeros(2)
    group = TensorGroup(
        name="t",
        base=base,
        models=[torch.tensor([1.0, -2.0]), torch.tensor([-1.0, 1.0])],
        weights=[1.0, 2.0],
        densities=[1.0, 1.0],
    )
    # Entry 0: 1·1 + 2·(−1) = −1, minus wins. Entry 1: 1·(−2) + 2·1 = 0, plus wins: only the second model's 2·1,
    # divided by its weight 2.
    assert TIES.merge(group, TIES.parameters()).tolist() == [-1.0, 1.0]


def test_entries_no_model_keeps_stay_at_the_base(make_group):
    group = make_group((7, 5))
    group.models = [group.base.clone() for _ in group.models]
    merged = TIES.merge(group, TIES.parameters())
    assert torch.equal(merged, group.base) and not merged.isnan().any()
    trimmed_away = make_group((11,), densities=[0.0, 0.0, 0.0])
    assert torch.equal(TIES.merge(trimmed_away, TIES.parameters()), trimmed_away.base)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("densities", [[0.2, 0.2, 0.2], [0.5, 0.05, 1.0], [0.0, 0.7, 0.3]])
@pytest.mark.parametrize(
    "parameters", [{}, {"normalize": False}, {"rescale": True}, {"lambda": 0.6, "int8_mask": True}]
)
def test_ties_equals_mergekits(make_group, mergekit_task_arithmetic, shape, densities, parameters):
    group = make_group(shape, weights=[1.0, 0.6, -0.3], densities=densities)
    merged = TIES.merge(group, TIES.parameters.model_validate(parameters))
    torch.testing.assert_close(
        merged, mergekit_task_arithmetic("ties", group, **parameters), rtol=0, atol=1e-6
    )
