"""Activation-Informed Merging (Nobari et al., 2025, "Activation-Informed Merging of Large Language Models",
arXiv:2502.02421): any inner merge, then each linear weight's delta from the base relaxed per input channel, so the
channels the base model leans on most keep more of their base weights.

For a linear weight W (out × in) with inner merge θ_m, Δ = θ_m − θ₀ and

    Δ[:, j] ← Δ[:, j] · (1 − â_j (1 − ω)),

where â_j is the base model's mean |activation| of input channel j on calibration prompts, normalised over the
layer's channels. The most active channel keeps ω of its delta; with min–max normalisation the least active keeps
all of it. Tensors without activation statistics (embeddings, norms, biases) keep the inner merge.

The paper's normalisation equation could not be read here: min–max over the layer's channels is the default, as the
L2S study describes â as normalised to [0, 1]. The authors' released code divides by the layer's maximum instead;
``normalization="max"`` reproduces it.
"""

from typing import Any, Literal

import torch
from pydantic import Field, model_validator

from corta.errors import ConfigError
from corta.models.merging.methods.base import (
    BasePolicy,
    Calibration,
    CalibrationStats,
    MethodParameters,
    TensorGroup,
)


class AIMParameters(MethodParameters):
    """ω, the share of its delta the most active channel keeps (0.4 in the L2S study), and the inner merge."""

    omega: float = Field(0.4, ge=0.0, le=1.0)
    inner_method: str = "ties"
    inner_parameters: dict[str, Any] = Field(default_factory=dict)
    normalization: Literal["min_max", "max"] = "min_max"

    @model_validator(mode="after")
    def _inner_method_takes_these_parameters(self) -> "AIMParameters":
        """Check the inner method and its parameters with the recipe, before any tensor is merged."""
        from corta.models.merging.methods.registry import get_method

        if self.inner_method == "aim":
            raise ValueError("AIM cannot wrap itself: choose another inner_method")
        try:
            get_method(self.inner_method).parameters.model_validate(self.inner_parameters)
        except ConfigError as error:
            raise ValueError(str(error)) from error
        return self


def channel_importance(activations: torch.Tensor, normalization: Literal["min_max", "max"]) -> torch.Tensor:
    """â: mean |activation| per input channel normalised to [0, 1]; all zeros when the channels are all equal under
    min–max (no channel stands out) or all silent under max."""
    magnitude = activations.abs().float()
    floor = magnitude.min() if normalization == "min_max" else 0.0
    spread = magnitude.max() - floor
    if spread <= 0:
        return torch.zeros_like(magnitude)
    return (magnitude - floor) / spread


class ActivationInformedMerge:
    """AIM over any registered inner method."""

    name = "aim"
    paper = "Nobari et al., 2025, Activation-Informed Merging of Large Language Models, arXiv:2502.02421"
    base_policy: BasePolicy = "required"
    calibration: Calibration | None = "activations"
    parameters = AIMParameters

    def merge(
        self, group: TensorGroup, parameters: MethodParameters, stats: CalibrationStats | None = None
    ) -> torch.Tensor:
        """The inner merge, its delta from the base relaxed per input channel where the tensor has activations."""
        from corta.models.merging.methods.registry import get_method

        if not isinstance(parameters, AIMParameters):
            raise ConfigError(f"AIM needs its own parameters, got {type(parameters).__name__}.")
        if group.base is None:
            raise ConfigError(f"Tensor {group.name}: AIM needs a base model.")
        if stats is None:
            raise ConfigError("AIM needs the base model's activations measured on calibration prompts.")
        inner = get_method(parameters.inner_method)
        merged = inner.merge(group, inner.parameters.model_validate(parameters.inner_parameters), stats)
        activations = stats.activations.get(group.name)
        if activations is None:
            return merged
        if merged.dim() != 2 or activations.shape != (merged.shape[1],):
            raise ConfigError(
                f"Tensor {group.name} of shape {tuple(merged.shape)} does not match its "
                f"{tuple(activations.shape)} activations: AIM expects one value per input channel of a linear weight."
            )
        importance = channel_importance(activations.to(merged.device), parameters.normalization)
        relaxation = 1.0 - importance * (1.0 - parameters.omega)
        return group.base + (merged - group.base) * relaxation


AIM = ActivationInformedMerge()
