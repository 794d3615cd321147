"""LoRE-Merging (Liu et al., 2025, "LoRE-Merging: Exploring Low-Rank Estimation For Large Language Model Merging"):
no base model; a shared θ₀ and low-rank task vectors δᵢ are estimated from the models themselves, then merged by
task arithmetic.

For the N models' weights θᵢ of one matrix, solve

    min_{θ₀, δᵢ}  Σᵢ ‖θ₀ + δᵢ − θᵢ‖²_F + μ Σᵢ ‖δᵢ‖_*

by block coordinate descent from δᵢ = 0: θ₀ ← meanᵢ(θᵢ − δᵢ) is exact for fixed δ; for fixed θ₀ each δᵢ solves
‖δᵢ − (θᵢ − θ₀)‖²_F + μ‖δᵢ‖_* = 2 · (½‖δᵢ − Aᵢ‖²_F + (μ/2)‖δᵢ‖_*), whose minimiser is singular-value
soft-thresholding of Aᵢ at μ/2 (Cai, Candès and Shen, 2010, Theorem 2.1). Each step is an exact block minimum, so
the objective never increases. The merge is θ = θ₀ + λ Σᵢ wᵢ δᵢ.

μ defaults to ``mu_ratio`` × the largest spectral norm of the models' deviations from their mean (θᵢ − θ̄, the first
residuals): thresholding then removes the same share of every tensor's spectrum whatever its scale, and
``mu_ratio`` ≥ 2 zeroes every δᵢ. Tensors of fewer than two dimensions (norms, biases) have no rank to lower: they
are merged as the weighted average Σᵢ wᵢθᵢ / Σᵢ wᵢ.
"""

import torch
from pydantic import ConfigDict, Field

from corta.errors import ConfigError
from corta.models.merging.methods.base import (
    BasePolicy,
    Calibration,
    CalibrationStats,
    MethodParameters,
    TensorGroup,
)


class LoREParameters(MethodParameters):
    """λ (``lambda`` in a recipe), the task-arithmetic scale; μ, the nuclear-norm weight, absolute or as
    ``mu_ratio`` of each tensor's largest deviation; the alternation's round limit and relative-change tolerance."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    lambda_: float = Field(1.0, alias="lambda")
    mu: float | None = Field(None, ge=0.0)
    mu_ratio: float = Field(0.1, ge=0.0)
    iterations: int = Field(10, ge=1)
    tolerance: float = Field(1e-4, ge=0.0)


def singular_value_threshold(matrices: torch.Tensor, threshold: float) -> torch.Tensor:
    """The proximal map of threshold·‖·‖_*: each matrix's singular values shrunk by threshold, floored at zero."""
    u, s, vh = torch.linalg.svd(matrices, full_matrices=False)
    return (u * (s - threshold).clamp_min(0.0).unsqueeze(-2)) @ vh


def low_rank_estimate(
    thetas: torch.Tensor, mu: float, iterations: int, tolerance: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """θ₀ and the stacked δᵢ for the models' matrices stacked as thetas (N × out × in), by the alternation of the
    module docstring, stopping early when ‖δᵏ − δᵏ⁻¹‖_F ≤ tolerance · ‖δᵏ‖_F."""
    deltas = torch.zeros_like(thetas)
    for _ in range(iterations):
        shared = (thetas - deltas).mean(0)
        updated = singular_value_threshold(thetas - shared, mu / 2)
        change = torch.linalg.vector_norm(updated - deltas)
        deltas = updated
        if change <= tolerance * torch.linalg.vector_norm(deltas):
            break
    return (thetas - deltas).mean(0), deltas


class LowRankEstimationMerge:
    """LoRE-Merging: low-rank task vectors estimated without a base model."""

    name = "lore"
    paper = "Liu et al., 2025, LoRE-Merging: Exploring Low-Rank Estimation For Large Language Model Merging"
    base_policy: BasePolicy = "none"
    calibration: Calibration | None = None
    parameters = LoREParameters

    def merge(
        self, group: TensorGroup, parameters: MethodParameters, stats: CalibrationStats | None = None
    ) -> torch.Tensor:
        """θ₀ + λ Σᵢ wᵢ δᵢ for matrices, the weighted average for vectors; a base in the group is not used."""
        if not isinstance(parameters, LoREParameters):
            raise ConfigError(f"LoRE-Merging needs its own parameters, got {type(parameters).__name__}.")
        shape = group.models[0].shape
        if len(shape) < 2:
            total = sum(group.weights)
            if total == 0:
                raise ConfigError(
                    f"Tensor {group.name}: the models' weights sum to zero, so they cannot be averaged."
                )
            return sum(w * model for w, model in zip(group.weights, group.models, strict=True)) / total
        thetas = torch.stack([model.reshape(shape[0], -1) for model in group.models])
        mu = parameters.mu
        if mu is None:
            mu = parameters.mu_ratio * float(torch.linalg.matrix_norm(thetas - thetas.mean(0), ord=2).max())
        shared, deltas = low_rank_estimate(thetas, mu, parameters.iterations, parameters.tolerance)
        weights = torch.tensor(group.weights, dtype=deltas.dtype, device=deltas.device)
        merged = shared + parameters.lambda_ * torch.einsum("i,i...->...", weights, deltas)
        return merged.reshape(shape)


LORE = LowRankEstimationMerge()
