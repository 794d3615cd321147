"""Weighted averaging (mergekit's linear): the formula, the base model's weight, and mergekit's own result."""

import pytest
import torch

from corta.errors import ConfigError
from corta.models.merging.methods.average import AVERAGE
from corta.models.merging.methods.base import TensorGroup

SHAPES = [(7, 5), (11,)]


def without_base(group: TensorGroup) -> TensorGroup:
    return TensorGroup(group.name, None, group.models, group.weights, group.densities)


@pytest.mark.parametrize("shape", SHAPES)
def test_average_is_the_weighted_mean(make_group, shape):
    group = without_base(make_group(shape, weights=[2.0, 1.0, 1.0]))
    expected = (2 * group.models[0] + group.models[1] + group.models[2]) / 4
    torch.testing.assert_close(AVERAGE.merge(group, AVERAGE.parameters()), expected, rtol=0, atol=1e-6)
    expected_sum = 2 * group.models[0] + group.models[1] + group.models[2]
    merged_sum = AVERAGE.merge(group, AVERAGE.parameters(normalize=False))
    torch.testing.assert_close(merged_sum, expected_sum, rtol=0, atol=1e-6)


def test_the_base_is_averaged_with_its_weight(make_group):
    group = make_group((7, 5), weights=[0.3, 0.2])
    expected = (0.5 * group.base + 0.3 * group.models[0] + 0.2 * group.models[1]) / 1.0
    merged = AVERAGE.merge(group, AVERAGE.parameters(base_weight=0.5))
    torch.testing.assert_close(merged, expected, rtol=0, atol=1e-6)
    assert torch.equal(
        AVERAGE.merge(group, AVERAGE.parameters(base_weight=0.0)),
        AVERAGE.merge(without_base(group), AVERAGE.parameters()),
    )


def test_a_base_without_a_weight_is_refused(make_group):
    with pytest.raises(ConfigError, match="base_weight"):
        AVERAGE.merge(make_group((11,)), AVERAGE.parameters())


def test_weights_summing_to_zero_are_refused_when_normalizing(make_group):
    group = without_base(make_group((11,), weights=[1.0, -1.0]))
    with pytest.raises(ConfigError, match="sum to 0"):
        AVERAGE.merge(group, AVERAGE.parameters())
    merged = AVERAGE.merge(group, AVERAGE.parameters(normalize=False))
    torch.testing.assert_close(merged, group.models[0] - group.models[1], rtol=0, atol=1e-6)


def test_average_ignores_densities(make_group):
    dense = without_base(make_group((7, 5)))
    sparse = TensorGroup(dense.name, None, dense.models, dense.weights, [0.0, 0.1, 0.5])
    assert torch.equal(
        AVERAGE.merge(dense, AVERAGE.parameters()), AVERAGE.merge(sparse, AVERAGE.parameters())
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("base_weight", [None, 0.4])
def test_average_equals_mergekits_linear(make_group, mergekit_merge, shape, normalize, base_weight):
    group = make_group(shape, weights=[0.5, 0.3, 0.9])
    weights = list(group.weights)
    tensors = list(group.models)
    if base_weight is None:
        group = without_base(group)
    else:
        # mergekit appends a base model that is not among the recipe's models after them, as one more input.
        tensors.append(group.base)
        weights.append(base_weight)
    merged = AVERAGE.merge(group, AVERAGE.parameters(normalize=normalize, base_weight=base_weight))
    reference = mergekit_merge("linear", tensors, None, weight=weights, normalize=normalize)
    torch.testing.assert_close(merged, reference, rtol=0, atol=1e-6)
