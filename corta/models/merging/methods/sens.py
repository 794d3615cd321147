"""Sens-Merging (Liu et al., 2025, "Sens-Merging: Sensitivity-Guided Parameter Balancing for Merging Large Language
Models", arXiv:2502.12420): task arithmetic whose coefficient varies by layer and model with each layer's
sensitivity, measured on calibration prompts.

As implemented, for model i of N and transformer layer l of L, with s_i^l = E_x Σ_{θ ∈ l} |θ ⊙ ∇_θ L(x)|:

    ŝ_i^l = s_i^l / mean_l s_i^l                     (within a model, the layers' mean is 1)
    γ_i^l = L · softmax_l(ŝ_i^l / T)                  (task-specific scale, mean 1 over the layers)
    β_i^l = N · softmax_i(ŝ_i^l / T), or 1 if N = 1   (cross-model scale, mean 1 over the models)
    c_i^l = α · w_i · γ_i^l · β_i^l
    θ = θ₀ + Σ_i c_i^l δ_i

Tensors outside the layers (embeddings, final norm, head) use c_i = α · w_i. The paper's cross-task scale compares
the models' logits on each other's tasks; with one calibration set per merge the softmax over the models'
normalised sensitivities stands in for it. α 0.7 and T 2 are the L2S study's settings.
"""

import torch
from pydantic import Field

from corta.errors import ConfigError
from corta.models.merging.methods.base import (
    BasePolicy,
    Calibration,
    CalibrationStats,
    MethodParameters,
    TensorGroup,
)


class SensParameters(MethodParameters):
    """α, the overall task-arithmetic scale, and T, the softmax temperature over the normalised sensitivities."""

    alpha: float = 0.7
    temperature: float = Field(2.0, gt=0.0)


def layer_coefficients(
    sensitivities: list[dict[int, float]], weights: list[float], layer: int, alpha: float, temperature: float
) -> torch.Tensor:
    """c_i^l for each model i at one layer, from every model's per-layer sensitivities (module docstring)."""
    if len(sensitivities) != len(weights):
        raise ConfigError(
            f"Sens-Merging has sensitivities for {len(sensitivities)} models but merges {len(weights)}."
        )
    task_scale, at_layer = [], []
    for index, by_layer in enumerate(sensitivities):
        if layer not in by_layer:
            raise ConfigError(f"Sens-Merging has no sensitivity for layer {layer} of model {index + 1}.")
        layers = sorted(by_layer)
        values = torch.tensor([by_layer[key] for key in layers], dtype=torch.float64)
        if values.mean() <= 0:
            raise ConfigError(f"Model {index + 1}'s layer sensitivities are all zero: nothing to weight by.")
        normalised = values / values.mean()
        at = layers.index(layer)
        task_scale.append(len(layers) * torch.softmax(normalised / temperature, 0)[at])
        at_layer.append(normalised[at])
    cross_scale = len(weights) * torch.softmax(torch.stack(at_layer) / temperature, 0)
    return alpha * torch.tensor(weights, dtype=torch.float64) * torch.stack(task_scale) * cross_scale


class SensitivityGuidedMerge:
    """Sens-Merging over task arithmetic."""

    name = "sens"
    paper = "Liu et al., 2025, Sens-Merging: Sensitivity-Guided Parameter Balancing for Merging LLMs, arXiv:2502.12420"
    base_policy: BasePolicy = "required"
    calibration: Calibration | None = "sensitivity"
    parameters = SensParameters

    def merge(
        self, group: TensorGroup, parameters: MethodParameters, stats: CalibrationStats | None = None
    ) -> torch.Tensor:
        """θ₀ + Σ_i c_i δ_i with layer- and model-dependent coefficients."""
        if not isinstance(parameters, SensParameters):
            raise ConfigError(f"Sens-Merging needs its own parameters, got {type(parameters).__name__}.")
        deltas = group.deltas()
        layer = group.layer
        if layer is None:
            coefficients = parameters.alpha * torch.tensor(group.weights, dtype=torch.float64)
        else:
            if stats is None or not stats.sensitivities:
                raise ConfigError(
                    "Sens-Merging needs each model's layer sensitivities from calibration prompts."
                )
            coefficients = layer_coefficients(
                stats.sensitivities, group.weights, layer, parameters.alpha, parameters.temperature
            )
        scale = coefficients.to(deltas).reshape(-1, *[1] * (deltas.dim() - 1))
        return group.base + (scale * deltas).sum(0)


SENS = SensitivityGuidedMerge()
