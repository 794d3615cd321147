"""What a merge method is: a function of one tensor's group (the base model's tensor and each model's tensor) and
the recipe's parameters, with what it needs declared up front so the runner can prepare it.

Every tensor reaches a method as float32 on the merge device; the runner casts the result to the output dtype.
"""

import re
from dataclasses import dataclass, field
from typing import Literal, Protocol

import torch
from pydantic import BaseModel, ConfigDict

from corta.errors import ConfigError

BasePolicy = Literal["required", "optional", "none"]
Calibration = Literal["activations", "sensitivity"]

_LAYER = re.compile(r"(?:^|\.)(?:layers|h|blocks|layer)\.(\d+)\.")


def layer_index(name: str) -> int | None:
    """The transformer block a tensor or parameter name belongs to: ``model.layers.3.mlp.up_proj.weight`` → 3."""
    found = _LAYER.search(name)
    return int(found.group(1)) if found else None


@dataclass
class TensorGroup:
    """One tensor name across the models of a merge.

    Parameters
    ----------
    name
        The tensor's name in the checkpoints, e.g. ``model.layers.3.mlp.up_proj.weight``.
    base
        The base model's tensor, or None when the recipe has no base model.
    models
        The other models' tensors, in recipe order, each of the base's shape.
    weights, densities
        Each model's ``weight`` and ``density`` from the recipe (mergekit's per-model parameters).
    owned
        The tensors were read for this merge alone: a method may overwrite the models' tensors in place (the
        runner sets it, so a big tensor's group holds no more copies than it must).
    """

    name: str
    base: torch.Tensor | None
    models: list[torch.Tensor]
    weights: list[float]
    densities: list[float]
    owned: bool = False

    def __post_init__(self) -> None:
        if not self.models:
            raise ConfigError(f"Tensor {self.name}: a merge needs at least one model besides the base.")
        if not len(self.models) == len(self.weights) == len(self.densities):
            raise ConfigError(f"Tensor {self.name}: each model needs one weight and one density.")
        shapes = {tuple(t.shape) for t in self.models} | (
            {tuple(self.base.shape)} if self.base is not None else set()
        )
        if len(shapes) > 1:
            raise ConfigError(f"Tensor {self.name} has different shapes across the models: {sorted(shapes)}.")

    @property
    def layer(self) -> int | None:
        """The transformer block the tensor belongs to (None for embeddings, final norm and head)."""
        return layer_index(self.name)

    def deltas(self) -> torch.Tensor:
        """The task vectors δᵢ = θᵢ − θ₀, stacked on a new first dimension."""
        if self.base is None:
            raise ConfigError(f"Tensor {self.name}: task vectors need a base model.")
        return torch.stack([model - self.base for model in self.models])


@dataclass
class CalibrationStats:
    """Statistics measured on calibration prompts before the merge, for the methods that declare a need.

    Parameters
    ----------
    activations
        For AIM: tensor name of a linear layer's weight → the base model's mean |input activation| per input channel.
    sensitivities
        For Sens-Merging: one dict per model (recipe order) of layer index → E|θ ⊙ ∇L| summed over the layer.
    """

    activations: dict[str, torch.Tensor] = field(default_factory=dict)
    sensitivities: list[dict[int, float]] = field(default_factory=list)


class MethodParameters(BaseModel):
    """A method's recipe-wide parameters (mergekit's shared ones, and corta's own for aim, sens and lore). Unknown
    keys are refused, so a typo in a recipe is reported instead of silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MergeMethod(Protocol):
    """A merge method: its name, the paper it follows, whether it needs a base model, what it needs measured on
    calibration prompts, its parameter schema and the merge of one tensor group."""

    name: str
    paper: str
    base_policy: BasePolicy
    calibration: Calibration | None
    parameters: type[MethodParameters]

    def merge(
        self, group: TensorGroup, parameters: MethodParameters, stats: CalibrationStats | None = None
    ) -> torch.Tensor:
        """The merged tensor, float32, of the group's shape."""
        ...
