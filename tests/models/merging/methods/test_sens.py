"""Sens-Merging against its formula: task arithmetic with coefficients α wᵢ γᵢˡ βᵢˡ from layer sensitivities."""

import math

import pytest
import torch

from corta.errors import ConfigError
from corta.models.merging.methods.base import CalibrationStats, TensorGroup
from corta.models.merging.methods.sens import SENS, SensParameters


def group_of(name: str, weights: list[float], shape: tuple[int, ...] = (4, 3), seed: int = 0) -> TensorGroup:
    generator = torch.Generator().manual_seed(seed)
    base = torch.randn(shape, generator=generator)
    models = [base + 0.1 * torch.randn(shape, generator=generator) for _ in weights]
    return TensorGroup(name=name, base=base, models=models, weights=weights, densities=[1.0] * len(weights))


def coefficients_by_hand(
    sensitivities: list[dict[int, float]], weights: list[float], layer: int, alpha: float, temperature: float
) -> list[float]:
    normalised = []
    for by_layer in sensitivities:
        mean = sum(by_layer.values()) / len(by_layer)
        normalised.append({key: value / mean for key, value in by_layer.items()})
    gammas = []
    for values in normalised:
        total = sum(math.exp(v / temperature) for v in values.values())
        gammas.append(len(values) * math.exp(values[layer] / temperature) / total)
    across = sum(math.exp(values[layer] / temperature) for values in normalised)
    betas = [len(weights) * math.exp(values[layer] / temperature) / across for values in normalised]
    return [alpha * w * g * b for w, g, b in zip(weights, gammas, betas, strict=True)]


def merged_by_hand(group: TensorGroup, coefficients: list[float]) -> torch.Tensor:
    return group.base + sum(c * (m - group.base) for c, m in zip(coefficients, group.models, strict=True))


def test_merge_follows_the_formula() -> None:
    sensitivities = [{0: 2.0, 1: 5.0, 2: 1.0}, {0: 0.4, 1: 0.1, 2: 0.3}]
    group = group_of("model.layers.1.self_attn.q_proj.weight", [1.0, 0.6])
    parameters = SensParameters(alpha=0.8, temperature=1.5)
    merged = SENS.merge(group, parameters, CalibrationStats(sensitivities=sensitivities))

    expected = coefficients_by_hand(sensitivities, [1.0, 0.6], 1, 0.8, 1.5)
    torch.testing.assert_close(merged, merged_by_hand(group, expected))


def test_equal_sensitivities_reduce_to_task_arithmetic_with_alpha() -> None:
    sensitivities = [{0: 3.0, 1: 3.0}, {0: 7.0, 1: 7.0}]
    group = group_of("model.layers.0.mlp.up_proj.weight", [1.0, 0.5])
    merged = SENS.merge(group, SensParameters(), CalibrationStats(sensitivities=sensitivities))
    torch.testing.assert_close(merged, merged_by_hand(group, [0.7 * 1.0, 0.7 * 0.5]))


def test_a_more_sensitive_layer_gets_a_larger_coefficient() -> None:
    stats = CalibrationStats(sensitivities=[{0: 1.0, 1: 3.0}])
    coefficient = {}
    for layer in (0, 1):
        group = group_of(f"model.layers.{layer}.mlp.up_proj.weight", [1.0])
        delta = group.models[0] - group.base
        coefficient[layer] = float(((SENS.merge(group, SensParameters(), stats) - group.base) / delta).mean())
    assert coefficient[1] > 0.7 > coefficient[0]
    # With one model β = 1, and γ has mean 1 over the layers.
    assert coefficient[0] + coefficient[1] == pytest.approx(2 * 0.7)


def test_a_more_sensitive_model_gets_a_larger_coefficient_at_a_layer() -> None:
    sensitivities = [{0: 1.0, 1: 3.0}, {0: 3.0, 1: 1.0}]
    group = group_of("model.layers.1.mlp.up_proj.weight", [1.0, 1.0])
    expected = coefficients_by_hand(sensitivities, [1.0, 1.0], 1, 0.7, 2.0)
    assert expected[0] > expected[1]
    merged = SENS.merge(group, SensParameters(), CalibrationStats(sensitivities=sensitivities))
    torch.testing.assert_close(merged, merged_by_hand(group, expected))


def test_tensors_outside_layers_use_alpha_times_weight() -> None:
    sensitivities = [{0: 1.0, 1: 9.0}, {0: 2.0, 1: 0.5}]
    for name in ("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"):
        group = group_of(name, [1.0, 0.3])
        merged = SENS.merge(group, SensParameters(alpha=0.5), CalibrationStats(sensitivities=sensitivities))
        torch.testing.assert_close(merged, merged_by_hand(group, [0.5, 0.15]))


def test_missing_or_mismatched_sensitivities_are_refused() -> None:
    group = group_of("model.layers.2.mlp.up_proj.weight", [1.0, 1.0])
    with pytest.raises(ConfigError, match="layer sensitivities"):
        SENS.merge(group, SensParameters(), None)
    with pytest.raises(ConfigError, match="for 1 models but merges 2"):
        SENS.merge(group, SensParameters(), CalibrationStats(sensitivities=[{2: 1.0}]))
    with pytest.raises(ConfigError, match="no sensitivity for layer 2"):
        SENS.merge(group, SensParameters(), CalibrationStats(sensitivities=[{2: 1.0}, {0: 1.0}]))


def test_parameters_and_declarations() -> None:
    assert (SensParameters().alpha, SensParameters().temperature) == (0.7, 2.0)
    assert (SENS.base_policy, SENS.calibration) == ("required", "sensitivity")
