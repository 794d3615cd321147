"""LoRE-Merging: the alternation recovers planted low-rank task vectors, never increases its objective, and the
merge is task arithmetic over the estimates; vectors are averaged."""

from itertools import pairwise

import pytest
import torch

from corta.models.merging.methods.base import TensorGroup
from corta.models.merging.methods.lore import (
    LORE,
    LoREParameters,
    low_rank_estimate,
    singular_value_threshold,
)


def objective(thetas: torch.Tensor, shared: torch.Tensor, deltas: torch.Tensor, mu: float) -> float:
    residual = sum(float(((shared + d - t) ** 2).sum()) for t, d in zip(thetas, deltas, strict=True))
    return residual + mu * sum(float(torch.linalg.svdvals(d).sum()) for d in deltas)


def planted(
    models: int = 3, shape: tuple[int, int] = (20, 16), rank: int = 2, noise: float = 1e-3, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """θᵢ = θ₀ + UᵢVᵢᵀ + noise, and the planted UᵢVᵢᵀ."""
    generator = torch.Generator().manual_seed(seed)
    shared = torch.randn(shape, generator=generator)
    low_rank = torch.stack(
        [
            torch.randn(shape[0], rank, generator=generator)
            @ torch.randn(rank, shape[1], generator=generator)
            / 4
            for _ in range(models)
        ]
    )
    return shared + low_rank + noise * torch.randn(models, *shape, generator=generator), low_rank


def test_recovers_planted_low_rank_task_vectors_up_to_a_shared_offset() -> None:
    thetas, low_rank = planted()
    _, deltas = low_rank_estimate(thetas, mu=0.05, iterations=10, tolerance=1e-6)
    centred = deltas - deltas.mean(0)
    planted_centred = low_rank - low_rank.mean(0)
    error = torch.linalg.vector_norm(centred - planted_centred) / torch.linalg.vector_norm(planted_centred)
    assert error < 0.02


def test_objective_never_increases_over_the_rounds() -> None:
    thetas, _ = planted(noise=0.3, seed=1)
    mu = 2.0
    values = [objective(thetas, thetas.mean(0), torch.zeros_like(thetas), mu)]
    for rounds in range(1, 9):
        shared, deltas = low_rank_estimate(thetas, mu, rounds, tolerance=0.0)
        values.append(objective(thetas, shared, deltas, mu))
    assert all(later <= earlier + 1e-4 * abs(earlier) for earlier, later in pairwise(values))
    assert values[-1] < values[1] < values[0]


def test_threshold_at_half_mu_minimises_the_task_vector_step() -> None:
    generator = torch.Generator().manual_seed(2)
    target = torch.randn(8, 6, generator=generator)
    mu = 1.5

    def step_objective(delta: torch.Tensor) -> float:
        return float(((delta - target) ** 2).sum() + mu * torch.linalg.svdvals(delta).sum())

    best = step_objective(singular_value_threshold(target, mu / 2))
    assert best < step_objective(singular_value_threshold(target, mu))
    for _ in range(20):
        perturbed = singular_value_threshold(target, mu / 2) + 0.01 * torch.randn(8, 6, generator=generator)
        assert best <= step_objective(perturbed)


def test_merge_is_task_arithmetic_over_the_estimates() -> None:
    thetas, _ = planted(noise=0.05, seed=3)
    group = TensorGroup("model.layers.0.mlp.up_proj.weight", None, list(thetas), [1.0, 0.5, 0.25], [1.0] * 3)
    parameters = LoREParameters(**{"lambda": 0.8})
    mu = 0.1 * max(float(torch.linalg.matrix_norm(t - thetas.mean(0), ord=2)) for t in thetas)
    shared, deltas = low_rank_estimate(thetas, mu, 10, 1e-4)
    expected = shared + 0.8 * (1.0 * deltas[0] + 0.5 * deltas[1] + 0.25 * deltas[2])
    torch.testing.assert_close(LORE.merge(group, parameters), expected)


def test_equal_weights_summing_to_one_give_the_average() -> None:
    thetas, _ = planted(noise=0.05, seed=4)
    group = TensorGroup("model.layers.0.mlp.up_proj.weight", None, list(thetas), [1 / 3] * 3, [1.0] * 3)
    torch.testing.assert_close(LORE.merge(group, LoREParameters()), thetas.mean(0))


def test_a_large_mu_zeroes_the_task_vectors() -> None:
    thetas, _ = planted(seed=5)
    group = TensorGroup("model.layers.0.mlp.up_proj.weight", None, list(thetas), [1.0] * 3, [1.0] * 3)
    torch.testing.assert_close(LORE.merge(group, LoREParameters(mu_ratio=2.0)), thetas.mean(0))


def test_a_given_base_is_not_used() -> None:
    thetas, _ = planted(seed=6)
    without = TensorGroup("model.layers.0.mlp.up_proj.weight", None, list(thetas), [1.0] * 3, [1.0] * 3)
    with_base = TensorGroup(
        "model.layers.0.mlp.up_proj.weight", thetas[0] * 3, list(thetas), [1.0] * 3, [1.0] * 3
    )
    torch.testing.assert_close(LORE.merge(with_base, LoREParameters()), LORE.merge(without, LoREParameters()))


def test_vectors_are_averaged_by_weight() -> None:
    first, second = torch.randn(5), torch.randn(5)
    group = TensorGroup(
        "model.layers.0.input_layernorm.weight", None, [first, second], [1.0, 3.0], [1.0, 1.0]
    )
    torch.testing.assert_close(LORE.merge(group, LoREParameters()), (first + 3 * second) / 4)


def test_parameters_and_declarations() -> None:
    parameters = LoREParameters()
    assert (parameters.lambda_, parameters.mu, parameters.iterations) == (1.0, None, 10)
    assert LoREParameters(lambda_=0.5).lambda_ == LoREParameters(**{"lambda": 0.5}).lambda_ == 0.5
    assert (LORE.base_policy, LORE.calibration) == ("none", None)
    with pytest.raises(ValueError):
        LoREParameters(iterations=0)
