"""DARE-TIES and DARE-linear: random drop and L1 rescale, reproducible by seed, and equal to mergekit under the same
torch seed."""

import pytest
import torch

from corta.models.merging.methods.base import TensorGroup
from corta.models.merging.methods.dare import DARE_LINEAR, DARE_TIES
from corta.models.merging.methods.task_arithmetic import TASK_ARITHMETIC
from corta.models.merging.methods.ties import TIES

SHAPES = [(7, 5), (11,)]
METHODS = [DARE_TIES, DARE_LINEAR]


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
def test_dare_defaults_are_mergekits(method):
    parameters = method.parameters()
    assert (parameters.normalize, parameters.rescale, parameters.lambda_, parameters.seed) == (
        False,
        True,
        1.0,
        None,
    )


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
def test_a_seed_makes_the_drop_reproducible(make_group, method):
    group = make_group((7, 5), densities=[0.5, 0.5, 0.5])
    first = method.merge(group, method.parameters(seed=1))
    assert torch.equal(first, method.merge(group, method.parameters(seed=1)))
    assert not torch.equal(first, method.merge(group, method.parameters(seed=2)))


def test_each_tensor_draws_its_own_mask(make_group):
    one = make_group((7, 5), densities=[0.5], weights=[1.0], name="model.layers.0.self_attn.q_proj.weight")
    other = TensorGroup(
        "model.layers.1.self_attn.q_proj.weight", one.base, one.models, one.weights, one.densities
    )
    parameters = DARE_LINEAR.parameters(seed=1, rescale=False)
    kept_one = DARE_LINEAR.merge(one, parameters) != one.base
    assert not torch.equal(kept_one, DARE_LINEAR.merge(other, parameters) != one.base)


def test_dare_linear_drops_entries_and_rescales_to_the_l1_norm(make_group):
    group = make_group((300, 300), weights=[0.8], densities=[0.7])
    delta = group.models[0] - group.base
    plain = DARE_LINEAR.merge(group, DARE_LINEAR.parameters(seed=3, rescale=False)) - group.base
    kept = plain != 0
    assert kept.float().mean().item() == pytest.approx(0.7, abs=0.01)
    torch.testing.assert_close(plain[kept], 0.8 * delta[kept], rtol=0, atol=1e-6)
    rescaled = DARE_LINEAR.merge(group, DARE_LINEAR.parameters(seed=3)) - group.base
    scale = delta.abs().sum() / delta[kept].abs().sum()
    torch.testing.assert_close(rescaled, 0.8 * scale * delta * kept, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", SHAPES)
def test_dare_at_density_one_is_task_arithmetic_and_unnormalized_ties(make_group, shape):
    group = make_group(shape)
    linear = DARE_LINEAR.merge(group, DARE_LINEAR.parameters(lambda_=0.7))
    torch.testing.assert_close(linear, TASK_ARITHMETIC.merge(group, TASK_ARITHMETIC.parameters(lambda_=0.7)))
    ties = DARE_TIES.merge(group, DARE_TIES.parameters(lambda_=0.7))
    torch.testing.assert_close(ties, TIES.merge(group, TIES.parameters(lambda_=0.7, normalize=False)))


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
def test_density_zero_gives_the_base(make_group, method):
    group = make_group((11,), densities=[0.0, 0.0, 0.0])
    assert torch.equal(method.merge(group, method.parameters(seed=0, normalize=True)), group.base)


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("densities", [[0.7, 0.7, 0.7], [0.3, 1.0, 0.0]])
@pytest.mark.parametrize("parameters", [{}, {"rescale": False}, {"normalize": True, "lambda": 0.8}])
def test_dare_equals_mergekits_under_the_same_torch_seed(
    make_group, mergekit_task_arithmetic, method, shape, densities, parameters
):
    group = make_group(shape, weights=[1.0, 0.5, -0.4], densities=densities)
    torch.manual_seed(11)
    merged = method.merge(group, method.parameters.model_validate(parameters))
    torch.manual_seed(11)
    reference = mergekit_task_arithmetic(method.name, group, **parameters)
    torch.testing.assert_close(merged, reference, rtol=0, atol=1e-6)
