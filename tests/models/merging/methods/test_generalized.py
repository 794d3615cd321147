"""The task-arithmetic core: sparsification, sign election, parameters, and what every configuration refuses."""

import pytest
import torch
from pydantic import ValidationError

from corta.errors import ConfigError
from corta.models.merging.methods.base import MethodParameters, TensorGroup
from corta.models.merging.methods.generalized import (
    GeneralizedTaskArithmetic,
    RandomDropParameters,
    TaskArithmeticParameters,
    elected_positive,
    keep_mask,
    sparsify,
)
from corta.models.merging.methods.generalized import (
    agreeing as agreeing_entries,
)


@pytest.mark.parametrize("shape", [(7, 5), (11,)])
@pytest.mark.parametrize("density", [0.01, 0.2, 0.5, 0.99])
def test_magnitude_keeps_the_largest_entries(shape: tuple[int, ...], density: float):
    delta = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    mask = keep_mask(delta, density, "magnitude")
    count = max(1, int(density * delta.numel()))
    assert mask.dtype == torch.bool and mask.shape == delta.shape
    assert int(mask.sum()) == count
    magnitudes = delta.abs().flatten()
    threshold = magnitudes.sort(descending=True).values[count - 1]
    assert torch.equal(mask.flatten().bool(), magnitudes >= threshold)


@pytest.mark.parametrize("method", ["magnitude", "random"])
def test_density_one_keeps_all_and_zero_keeps_none(method: str):
    delta = torch.randn(7, 5)
    assert sparsify(delta, 1.0, method, rescale=True) is delta
    assert sparsify(delta, 1.5, method, rescale=True) is delta
    assert not sparsify(delta, 0.0, method, rescale=True).any()
    assert not sparsify(delta, -0.5, method, rescale=False).any()


@pytest.mark.parametrize("method", ["magnitude", "random"])
def test_rescale_restores_the_l1_norm(method: str):
    delta = torch.randn(11, generator=torch.Generator().manual_seed(2))
    kept = sparsify(delta, 0.5, method, rescale=True, generator=torch.Generator().manual_seed(3))
    assert kept.abs().sum().item() == pytest.approx(delta.abs().sum().item(), rel=1e-6)
    plain = sparsify(delta, 0.5, method, rescale=False, generator=torch.Generator().manual_seed(3))
    assert torch.equal(plain != 0, kept != 0)
    assert torch.equal(plain[plain != 0], delta[plain != 0])


def agreeing(weighted: torch.Tensor, consensus: str) -> torch.Tensor:
    """Mᵢ for stacked weighted task vectors: which entries carry the elected sign."""
    positive = elected_positive(list(weighted), consensus)
    return torch.stack([agreeing_entries(tau, positive) for tau in weighted])


def test_rescale_of_a_zero_delta_stays_zero():
    assert torch.equal(sparsify(torch.zeros(7, 5), 0.3, "magnitude", rescale=True), torch.zeros(7, 5))


def test_random_keeps_about_density():
    delta = torch.randn(300, 300)
    mask = keep_mask(delta, 0.7, "random", torch.Generator().manual_seed(0))
    assert mask.dtype == torch.bool
    assert mask.float().mean().item() == pytest.approx(0.7, abs=0.01)


def test_sign_election_by_sum_and_by_count():
    # Entry 0: one large negative outweighs two small positives (sum elects −, count elects +).
    # Entry 1: the weighted sum is exactly 0, so + is elected; a zero never agrees.
    weighted = torch.tensor([[0.1, 1.0, 0.0], [0.1, -1.0, 2.0], [-1.0, 0.0, 0.0]])
    assert agreeing(weighted, "sum").tolist() == [
        [False, True, False],
        [False, False, True],
        [True, False, False],
    ]
    assert agreeing(weighted, "count").tolist() == [
        [True, True, False],
        [True, False, True],
        [False, False, False],
    ]


def test_parameters_take_mergekit_keys_and_refuse_unknown_ones():
    assert TaskArithmeticParameters.model_validate({"lambda": 0.5}).lambda_ == 0.5
    assert TaskArithmeticParameters(lambda_=0.5).lambda_ == 0.5
    defaults = TaskArithmeticParameters()
    assert (defaults.lambda_, defaults.normalize, defaults.rescale, defaults.int8_mask) == (
        1.0,
        False,
        False,
        False,
    )
    assert RandomDropParameters().seed is None
    with pytest.raises(ValidationError):
        TaskArithmeticParameters.model_validate({"lamda": 0.5})
    with pytest.raises(ValidationError):
        TaskArithmeticParameters.model_validate({"seed": 1})


def test_a_random_configuration_needs_a_seed_in_its_parameters():
    with pytest.raises(TypeError):
        GeneralizedTaskArithmetic(
            name="x", paper="", parameters=TaskArithmeticParameters, sparsification="random"
        )


def test_merge_refuses_a_missing_base_and_foreign_parameters(make_group):
    method = GeneralizedTaskArithmetic(name="x", paper="", parameters=TaskArithmeticParameters)
    group = make_group((7, 5))
    baseless = TensorGroup(
        name="t", base=None, models=group.models, weights=group.weights, densities=group.densities
    )
    with pytest.raises(ConfigError):
        method.merge(baseless, TaskArithmeticParameters())
    with pytest.raises(ConfigError):
        method.merge(group, MethodParameters())


def test_int8_mask_changes_nothing(make_group):
    method = GeneralizedTaskArithmetic(
        name="x", paper="", parameters=TaskArithmeticParameters, consensus="sum", sparsification="magnitude"
    )
    group = make_group((7, 5), densities=[0.4, 0.5, 0.6])
    assert torch.equal(
        method.merge(group, TaskArithmeticParameters(int8_mask=True)),
        method.merge(group, TaskArithmeticParameters()),
    )


@pytest.mark.parametrize("rescale", [False, True])
@pytest.mark.parametrize("density", [0.0, 0.2, 0.7, 1.0])
def test_magnitude_sparsify_equals_mergekits(rescale: bool, density: float):
    mergekit_sparsify = pytest.importorskip("mergekit.sparsify")
    delta = torch.randn(7, 5, generator=torch.Generator().manual_seed(4))
    expected = mergekit_sparsify.sparsify(
        delta,
        density,
        mergekit_sparsify.SparsificationMethod.magnitude,
        rescale_norm="l1" if rescale else None,
    )
    torch.testing.assert_close(sparsify(delta, density, "magnitude", rescale), expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("consensus", ["sum", "count"])
def test_sign_election_equals_mergekits(consensus: str):
    gta = pytest.importorskip("mergekit.merge_methods.generalized_task_arithmetic")
    weighted = torch.randn(3, 7, 5, generator=torch.Generator().manual_seed(5))
    weighted[:, 0, 0] = torch.tensor([1.0, -1.0, 0.0])
    assert torch.equal(agreeing(weighted, consensus), gta.get_mask(weighted, method=consensus))
