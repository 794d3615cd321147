"""TIES-Merging (Yadav et al. 2023, "TIES-Merging: Resolving Interference When Merging Models", NeurIPS,
arXiv:2306.01708): trim each task vector to its largest entries, elect a sign per entry, and average the entries that
agree with it.

    τᵢ = wᵢ · top_{dᵢ}(θᵢ − θ₀),   s = sign⁺(Σᵢ τᵢ),   Mᵢ = [sign τᵢ = s]
    θ = θ₀ + λ (Σᵢ Mᵢ τᵢ) / (Σᵢ Mᵢ wᵢ)

where top_d keeps the max(1, ⌊d·n⌋) entries of largest magnitude. ``normalize`` (the division) is on by default and
``rescale`` off, as in mergekit. The L2S study (Wu et al. 2025) trims k = 0.8 of each task vector (``density: 0.2``)
and uses α = 1.0 (``lambda: 1``).
"""

from corta.models.merging.methods.generalized import GeneralizedTaskArithmetic, TaskArithmeticParameters


class TiesParameters(TaskArithmeticParameters):
    """TIES normalizes by default: the merged entry is the weighted mean of the agreeing task vectors."""

    normalize: bool = True


TIES = GeneralizedTaskArithmetic(
    name="ties",
    paper="Yadav et al. 2023, TIES-Merging: Resolving Interference When Merging Models, arXiv:2306.01708",
    parameters=TiesParameters,
    consensus="sum",
    sparsification="magnitude",
)
