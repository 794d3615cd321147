"""Task arithmetic: θ₀ + λ Σᵢ wᵢ δᵢ, checked against the formula and against mergekit."""

import pytest
import torch

from corta.models.merging.methods.task_arithmetic import TASK_ARITHMETIC

SHAPES = [(7, 5), (11,)]


def expected(group, lambda_: float = 1.0, normalize: bool = False) -> torch.Tensor:
    total = sum(w * (model - group.base) for w, model in zip(group.weights, group.models, strict=True))
    weight_sum = sum(group.weights)
    if normalize and abs(weight_sum) >= 1e-8:
        total = total / weight_sum
    return group.base + lambda_ * total


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("lambda_", "normalize"), [(1.0, False), (0.7, False), (0.5, True)])
def test_task_arithmetic_is_the_weighted_sum_of_task_vectors(make_group, shape, lambda_, normalize):
    group = make_group(shape)
    parameters = TASK_ARITHMETIC.parameters.model_validate({"lambda": lambda_, "normalize": normalize})
    merged = TASK_ARITHMETIC.merge(group, parameters)
    torch.testing.assert_close(merged, expected(group, lambda_, normalize), rtol=0, atol=1e-6)


def test_task_arithmetic_ignores_densities(make_group):
    dense, sparse = make_group((7, 5)), make_group((7, 5), densities=[0.1, 0.0, 0.5])
    parameters = TASK_ARITHMETIC.parameters()
    assert torch.equal(TASK_ARITHMETIC.merge(dense, parameters), TASK_ARITHMETIC.merge(sparse, parameters))


def test_normalize_leaves_weights_summing_to_zero_undivided(make_group):
    group = make_group((11,), weights=[1.0, -1.0])
    merged = TASK_ARITHMETIC.merge(group, TASK_ARITHMETIC.parameters(normalize=True))
    torch.testing.assert_close(merged, expected(group), rtol=0, atol=1e-6)


def test_models_equal_to_the_base_give_the_base(make_group):
    group = make_group((7, 5))
    group.models = [group.base.clone() for _ in group.models]
    assert torch.equal(TASK_ARITHMETIC.merge(group, TASK_ARITHMETIC.parameters(lambda_=3.0)), group.base)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    "parameters",
    [{}, {"lambda": 0.7}, {"normalize": True}, {"normalize": True, "lambda": 1.3, "rescale": True}],
)
def test_task_arithmetic_equals_mergekits(make_group, mergekit_task_arithmetic, shape, parameters):
    group = make_group(shape, weights=[0.7, 0.7, -0.2])
    merged = TASK_ARITHMETIC.merge(group, TASK_ARITHMETIC.parameters.model_validate(parameters))
    reference = mergekit_task_arithmetic("task_arithmetic", group, **parameters)
    torch.testing.assert_close(merged, reference, rtol=0, atol=1e-6)
