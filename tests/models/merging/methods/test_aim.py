"""AIM against its formula: the inner merge's delta relaxed per input channel by the base's normalised activations."""

import pytest
import torch
from pydantic import ValidationError

from corta.errors import ConfigError
from corta.models.merging.methods import registry
from corta.models.merging.methods.aim import AIM, AIMParameters
from corta.models.merging.methods.base import CalibrationStats, MethodParameters, TensorGroup

NAME = "model.layers.1.mlp.down_proj.weight"


class ScaleParameters(MethodParameters):
    scale: float = 1.0


class PlainTaskArithmetic:
    """θ₀ + scale · Σᵢ wᵢ δᵢ, the inner merge of these tests."""

    name = "plain"
    paper = "test"
    base_policy = "required"
    calibration = None
    parameters = ScaleParameters

    def merge(self, group: TensorGroup, parameters: ScaleParameters, stats: object = None) -> torch.Tensor:
        return group.base + parameters.scale * sum(
            w * d for w, d in zip(group.weights, group.deltas(), strict=True)
        )


@pytest.fixture(autouse=True)
def plain_inner(monkeypatch: pytest.MonkeyPatch) -> None:
    real = registry.get_method
    monkeypatch.setattr(
        registry, "get_method", lambda name: PlainTaskArithmetic() if name == "plain" else real(name)
    )


def group_of(shape: tuple[int, ...], name: str = NAME, seed: int = 0) -> TensorGroup:
    generator = torch.Generator().manual_seed(seed)
    base = torch.randn(shape, generator=generator)
    models = [base + 0.1 * torch.randn(shape, generator=generator) for _ in range(2)]
    return TensorGroup(name=name, base=base, models=models, weights=[0.7, 0.5], densities=[1.0, 1.0])


def plain_parameters(**extra: object) -> AIMParameters:
    return AIMParameters(inner_method="plain", **extra)


def test_merge_follows_the_formula_with_min_max_normalisation() -> None:
    group = group_of((6, 5))
    activations = torch.tensor([0.3, 2.0, 0.1, 1.2, 0.7])
    omega = 0.4
    merged = AIM.merge(
        group, plain_parameters(omega=omega), CalibrationStats(activations={NAME: activations})
    )

    inner = group.base + 0.7 * (group.models[0] - group.base) + 0.5 * (group.models[1] - group.base)
    low, high = min(activations.tolist()), max(activations.tolist())
    expected = group.base.clone()
    for j, a in enumerate(activations.tolist()):
        normalised = (a - low) / (high - low)
        expected[:, j] += (inner - group.base)[:, j] * (1 - normalised * (1 - omega))
    torch.testing.assert_close(merged, expected)


def test_most_active_channel_keeps_omega_and_least_active_keeps_all() -> None:
    group = group_of((4, 5))
    activations = torch.tensor([1.0, 5.0, 3.0, 9.0, 2.0])
    stats = CalibrationStats(activations={NAME: activations})
    inner_delta = PlainTaskArithmetic().merge(group, ScaleParameters()) - group.base
    kept = (AIM.merge(group, plain_parameters(omega=0.25), stats) - group.base) / inner_delta

    torch.testing.assert_close(kept[:, 3], torch.full((4,), 0.25))
    torch.testing.assert_close(kept[:, 0], torch.ones(4))
    assert ((kept >= 0.25 - 1e-5) & (kept <= 1 + 1e-5)).all()


def test_max_normalisation_matches_the_authors_code() -> None:
    group = group_of((3, 4))
    activations = torch.tensor([1.0, 2.0, 4.0, 8.0])
    stats = CalibrationStats(activations={NAME: activations})
    inner_delta = PlainTaskArithmetic().merge(group, ScaleParameters()) - group.base
    kept = (
        AIM.merge(group, plain_parameters(omega=0.5, normalization="max"), stats) - group.base
    ) / inner_delta

    torch.testing.assert_close(kept, (1 - activations / 8.0 * 0.5).expand(3, 4))


def test_tensors_without_activations_keep_the_inner_merge() -> None:
    for name, shape in [("model.norm.weight", (5,)), ("model.embed_tokens.weight", (7, 5))]:
        group = group_of(shape, name=name)
        stats = CalibrationStats(activations={NAME: torch.ones(5)})
        merged = AIM.merge(group, plain_parameters(inner_parameters={"scale": 0.5}), stats)
        torch.testing.assert_close(merged, PlainTaskArithmetic().merge(group, ScaleParameters(scale=0.5)))


def test_equal_activations_relax_nothing() -> None:
    group = group_of((3, 4))
    stats = CalibrationStats(activations={NAME: torch.full((4,), 2.0)})
    merged = AIM.merge(group, plain_parameters(), stats)
    torch.testing.assert_close(merged, PlainTaskArithmetic().merge(group, ScaleParameters()))


def test_with_the_registered_ties_inner() -> None:
    group = group_of((6, 5))
    activations = torch.tensor([0.5, 1.5, 0.2, 3.0, 1.0])
    parameters = AIMParameters(inner_method="ties", inner_parameters={"lambda": 1.0})
    merged = AIM.merge(group, parameters, CalibrationStats(activations={NAME: activations}))

    ties = registry.get_method("ties")
    inner_delta = ties.merge(group, ties.parameters(**{"lambda": 1.0})) - group.base
    normalised = (activations - activations.min()) / (activations.max() - activations.min())
    torch.testing.assert_close(merged, group.base + inner_delta * (1 - normalised * 0.6))


def test_activations_of_the_wrong_length_are_refused() -> None:
    stats = CalibrationStats(activations={NAME: torch.ones(6)})
    with pytest.raises(ConfigError, match="one value per input channel"):
        AIM.merge(group_of((4, 5)), plain_parameters(), stats)


def test_missing_statistics_are_refused() -> None:
    with pytest.raises(ConfigError, match="activations"):
        AIM.merge(group_of((4, 5)), plain_parameters(), None)


def test_parameters_defaults_and_bounds() -> None:
    parameters = AIMParameters()
    assert (parameters.omega, parameters.inner_method, parameters.inner_parameters) == (0.4, "ties", {})
    assert (AIM.base_policy, AIM.calibration, AIM.parameters) == ("required", "activations", AIMParameters)
    with pytest.raises(ValidationError):
        AIMParameters(omega=1.5)
    with pytest.raises(ValidationError):
        AIMParameters(omga=0.3)
