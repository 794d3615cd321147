"""Weighted averaging (Wortsman et al. 2022, "Model soups: averaging weights of multiple fine-tuned models improves
accuracy without increasing inference time", ICML, arXiv:2203.05482), mergekit's ``linear``:

    θ = Σⱼ wⱼ θⱼ / Σⱼ wⱼ        (no division when ``normalize`` is off)

over the models and, when the recipe names a base model, the base too. mergekit's ``linear`` has no notion of a
base: a base model named in a recipe is one more input, averaged with the weight given to it (in ``models:`` or in
the recipe-wide ``parameters:``), and a base without a weight is an error. Here the base's weight is
``base_weight``; a base without one is refused the same way. Weights summing to 0 are refused when normalizing,
where mergekit would return NaN.
"""

import torch

from corta.errors import ConfigError
from corta.models.merging.methods.base import (
    BasePolicy,
    Calibration,
    CalibrationStats,
    MethodParameters,
    TensorGroup,
)


class AverageParameters(MethodParameters):
    """``normalize`` divides by the weights' sum (mergekit's default: on); ``base_weight`` is the base model's
    weight, needed when the recipe has a base model."""

    normalize: bool = True
    base_weight: float | None = None


class Average:
    """The weighted average of the models (and the base, with ``base_weight``)."""

    name = "average"
    paper = (
        "Wortsman et al. 2022, Model soups: averaging weights of multiple fine-tuned models improves accuracy "
        "without increasing inference time, arXiv:2203.05482"
    )
    base_policy: BasePolicy = "optional"
    calibration: Calibration | None = None
    parameters = AverageParameters

    def merge(
        self, group: TensorGroup, parameters: MethodParameters, stats: CalibrationStats | None = None
    ) -> torch.Tensor:
        """Σⱼ wⱼ θⱼ, divided by Σⱼ wⱼ if ``normalize``."""
        if not isinstance(parameters, AverageParameters):
            raise ConfigError(f"average needs its own parameters, got {type(parameters).__name__}.")
        tensors, weights = list(group.models), list(group.weights)
        if group.base is not None:
            if parameters.base_weight is None:
                raise ConfigError(
                    f"Tensor {group.name}: average (mergekit's linear) averages the base model like the others; "
                    "give it a weight with base_weight, or leave the base model out of the recipe."
                )
            tensors.append(group.base)
            weights.append(parameters.base_weight)
        merged = torch.zeros_like(tensors[0])
        for tensor, weight in zip(tensors, weights, strict=True):
            merged.add_(tensor, alpha=weight)
        if not parameters.normalize:
            return merged
        total = torch.tensor(weights, dtype=merged.dtype).sum().item()
        if total == 0:
            raise ConfigError(f"Tensor {group.name}: the weights sum to 0, so their average is undefined.")
        return merged / total


AVERAGE = Average()
