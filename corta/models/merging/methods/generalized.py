"""Generalized task arithmetic: the one core that task arithmetic, TIES, DARE-TIES and DARE-linear configure, with
mergekit's semantics (its ``GeneralizedTaskArithmeticMerge``) so that a mergekit recipe merges the same here.

For task vectors δᵢ = θᵢ − θ₀ with recipe weights wᵢ and densities dᵢ:

1. sparsify, δ̃ᵢ = mᵢ ⊙ δᵢ: "magnitude" keeps the max(1, ⌊dᵢ·n⌋) entries of largest |δᵢ| (Yadav et al. 2023),
   "random" keeps each entry with probability dᵢ (Yu et al. 2024); dᵢ ≥ 1 keeps all and dᵢ ≤ 0 none. With
   ``rescale`` the kept entries are scaled by ‖δᵢ‖₁ / ‖δ̃ᵢ‖₁, which in expectation is DARE's 1 / dᵢ = 1 / (1 − p);
2. weight, τᵢ = wᵢ δ̃ᵢ;
3. elect a sign per entry, s = sign⁺(Σᵢ τᵢ) ("sum", TIES) or s = sign⁺(Σᵢ sign τᵢ) ("count"), with sign⁺(0) = +1,
   and keep the agreeing entries, Mᵢ = [sign τᵢ = s] (a zero never agrees); without consensus Mᵢ = 1;
4. τ = Σᵢ Mᵢ τᵢ, divided if ``normalize`` by Σᵢ Mᵢ wᵢ (by 1 where that is 0; without consensus by Σᵢ wᵢ, or by 1
   when |Σᵢ wᵢ| < 1e-8);
5. θ = θ₀ + λ τ.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Literal

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

Consensus = Literal["sum", "count"]
Sparsification = Literal["magnitude", "random"]

# mergekit's tolerances: a norm below the first leaves the kept entries unscaled, a weight sum below the second
# is not divided by.
_NORM_EPS = 1e-7
_WEIGHT_SUM_EPS = 1e-8


class TaskArithmeticParameters(MethodParameters):
    """mergekit's shared parameters of the family: ``lambda`` scales the merged task vector, ``normalize`` divides it
    by the kept weights, ``rescale`` restores each sparsified δᵢ's L1 norm, and ``int8_mask`` is accepted for
    mergekit recipes but changes nothing (mergekit uses it only to store the sign mask in less memory)."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    lambda_: float = Field(1.0, alias="lambda")
    normalize: bool = False
    rescale: bool = False
    int8_mask: bool = False


class RandomDropParameters(TaskArithmeticParameters):
    """Adds corta's ``seed`` for the random drop: with a seed each tensor's masks are drawn from a generator seeded
    by the seed and the tensor's name, so a merge is reproducible; without one from torch's global generator, as
    mergekit does."""

    seed: int | None = None


def keep_mask(
    delta: torch.Tensor, density: float, method: Sparsification, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Which entries of ``delta`` sparsification keeps (bool, its shape; ``density`` < 1)."""
    if method == "random":
        probability = torch.full_like(delta, max(density, 0.0))
        return torch.bernoulli(probability, generator=generator).bool()
    if density <= 0 or not delta.numel():
        return torch.zeros_like(delta, dtype=torch.bool)
    count = max(1, int(density * delta.numel()))
    # The count-th largest magnitude by selection: numpy partitions one copy of |δ| in place in linear time (a
    # top-k sorts millions of entries, and torch's kthvalue holds a copy plus int64 indices: three times the memory).
    magnitudes = delta.abs().flatten().float().cpu().numpy()
    magnitudes.partition(magnitudes.size - count)
    threshold = float(magnitudes[magnitudes.size - count])
    del magnitudes
    kept = (delta > threshold) | (delta < -threshold)
    missing = count - int(kept.sum())
    if missing > 0:  # among the entries equal to the threshold, the first ones in order until count
        tied = ((delta == threshold) | (delta == -threshold)).flatten().nonzero().flatten()[:missing]
        kept.view(-1)[tied] = True
    return kept


def sparsify(
    delta: torch.Tensor,
    density: float,
    method: Sparsification,
    rescale: bool,
    generator: torch.Generator | None = None,
    in_place: bool = False,
) -> torch.Tensor:
    """δ̃ = m ⊙ δ, scaled by ‖δ‖₁ / ‖δ̃‖₁ when ``rescale`` and both norms are at least 1e-7; with ``in_place``
    written over ``delta``."""
    if density >= 1:
        return delta
    dropped = ~keep_mask(delta, density, method, generator)
    before = delta.abs().sum() if rescale else None
    kept = delta.masked_fill_(dropped, 0.0) if in_place else delta.masked_fill(dropped, 0.0)
    del dropped
    if before is None:
        return kept
    after = kept.abs().sum()
    if before < _NORM_EPS or after < _NORM_EPS:
        return kept
    return kept.mul_(before / after)


def elected_positive(taus: list[torch.Tensor], consensus: Consensus) -> torch.Tensor:
    """Where the elected sign is +: sign⁺(Σᵢ τᵢ) ("sum") or sign⁺(Σᵢ sign τᵢ) ("count"), sign⁺(0) = +1 (bool)."""
    votes = torch.zeros_like(taus[0])
    for tau in taus:
        votes.add_(tau if consensus == "sum" else tau.sign())
    return votes >= 0


def agreeing(tau: torch.Tensor, positive: torch.Tensor) -> torch.Tensor:
    """Mᵢ: the entries of τᵢ with the elected sign (a zero agrees with neither)."""
    return torch.where(positive, tau > 0, tau < 0)


def _tensor_generator(seed: int, name: str, device: torch.device) -> torch.Generator:
    # One stream per tensor: one stream for all would give same-shaped tensors (every layer's q_proj) one mask.
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return torch.Generator(device=device).manual_seed(int.from_bytes(digest[:8], "little") >> 1)


@dataclass(frozen=True)
class GeneralizedTaskArithmetic:
    """One configuration of the family: a name and paper, its sign consensus, its sparsification, and its
    parameter class, whose defaults for ``normalize`` and ``rescale`` are the method's."""

    name: str
    paper: str
    parameters: type[MethodParameters]
    consensus: Consensus | None = None
    sparsification: Sparsification | None = None
    base_policy: BasePolicy = field(default="required", init=False)
    calibration: Calibration | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        wanted = RandomDropParameters if self.sparsification == "random" else TaskArithmeticParameters
        if not issubclass(self.parameters, wanted):
            raise TypeError(f"Method {self.name} needs parameters derived from {wanted.__name__}.")

    def merge(
        self, group: TensorGroup, parameters: MethodParameters, stats: CalibrationStats | None = None
    ) -> torch.Tensor:
        """θ₀ + λ τ (module docstring)."""
        if not isinstance(parameters, TaskArithmeticParameters):
            raise ConfigError(f"{self.name} needs its own parameters, got {type(parameters).__name__}.")
        if group.base is None:
            raise ConfigError(f"Tensor {group.name}: {self.name} needs a base model.")
        seed = parameters.seed if isinstance(parameters, RandomDropParameters) else None
        generator = None if seed is None else _tensor_generator(seed, group.name, group.base.device)
        # One task vector at a time, combined in place: a few tensors of the group's size at once, not N-deep stacks.
        taus = []
        for model, weight, density in zip(group.models, group.weights, group.densities, strict=True):
            delta = model.sub_(group.base) if group.owned else model - group.base  # a fresh tensor either way
            if self.sparsification is not None:
                delta = sparsify(
                    delta, density, self.sparsification, parameters.rescale, generator, in_place=True
                )
            taus.append(delta.mul_(weight))
        if self.consensus is None:
            merged = taus.pop(0)
            for tau in taus:
                merged.add_(tau)
            total = sum(group.weights)
            divisor: torch.Tensor | float = 1.0 if abs(total) < _WEIGHT_SUM_EPS else total
        else:
            positive = elected_positive(taus, self.consensus)
            merged = torch.zeros_like(group.base)
            divisor = torch.zeros_like(group.base)
            for tau, weight in zip(taus, group.weights, strict=True):
                agree = agreeing(tau, positive)
                merged.add_(tau.masked_fill_(~agree, 0.0))
                divisor.add_(agree, alpha=weight)
            del taus, positive
            divisor.masked_fill_(divisor == 0, 1.0)
        if parameters.normalize:
            merged.div_(divisor)
        return merged.mul_(parameters.lambda_).add_(group.base)
