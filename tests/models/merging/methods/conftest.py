"""Small random tensor groups for the merge methods, and mergekit's own merge of the same tensors."""

from collections.abc import Callable, Sequence
from typing import Any

import pytest
import torch

from corta.models.merging.methods.base import TensorGroup

GroupFactory = Callable[..., TensorGroup]
MergekitMerge = Callable[..., torch.Tensor]


@pytest.fixture
def make_group() -> GroupFactory:
    """A factory of groups: a float32 base of ``shape`` and ``len(weights)`` models around it."""

    def make(
        shape: tuple[int, ...],
        weights: Sequence[float] = (1.0, 0.6, 0.3),
        densities: Sequence[float] | None = None,
        seed: int = 0,
        name: str = "model.layers.0.mlp.up_proj.weight",
    ) -> TensorGroup:
        generator = torch.Generator().manual_seed(seed)
        base = torch.randn(shape, generator=generator)
        models = [base + 0.1 * torch.randn(shape, generator=generator) for _ in weights]
        return TensorGroup(
            name=name,
            base=base,
            models=models,
            weights=list(weights),
            densities=list(densities or [1.0] * len(weights)),
        )

    return make


@pytest.fixture
def mergekit_merge() -> MergekitMerge:
    """mergekit's method ``name`` on ``tensors`` (the base at ``base_index``) with its recipe ``parameters``."""
    registry = pytest.importorskip("mergekit.merge_methods.registry")
    mergekit_base = pytest.importorskip("mergekit.merge_methods.base")

    def merge(
        name: str, tensors: Sequence[torch.Tensor], base_index: int | None, **parameters: Any
    ) -> torch.Tensor:
        group = mergekit_base.TensorGroup.from_tensors(list(tensors), base_index=base_index)
        (merged,) = registry.get(name)([group], parameters=parameters)
        return merged

    return merge


@pytest.fixture
def mergekit_task_arithmetic(mergekit_merge: MergekitMerge) -> Callable[..., torch.Tensor]:
    """mergekit's task-arithmetic family method ``name`` on a corta group: its weights, densities, and ``parameters``."""

    def merge(name: str, group: TensorGroup, **parameters: Any) -> torch.Tensor:
        assert group.base is not None
        return mergekit_merge(
            name,
            [group.base, *group.models],
            0,
            weight=group.weights,
            density=group.densities,
            **parameters,
        )

    return merge
