"""DARE (Yu et al. 2024, "Language Models are Super Mario: Absorbing Abilities from Homologous Models as a Free
Lunch", ICML, arXiv:2311.03099): drop each task-vector entry with probability p = 1 − dᵢ and rescale what is kept,
then merge linearly (``dare_linear``) or with TIES's sign election (``dare_ties``).

    δ̃ᵢ = mᵢ ⊙ (θᵢ − θ₀) · ‖θᵢ − θ₀‖₁ / ‖mᵢ ⊙ (θᵢ − θ₀)‖₁,   mᵢ ~ Bernoulli(dᵢ)
    dare_linear:  θ = θ₀ + λ Σᵢ wᵢ δ̃ᵢ
    dare_ties:    τᵢ = wᵢ δ̃ᵢ,  s = sign⁺(Σᵢ τᵢ),  θ = θ₀ + λ Σᵢ [sign τᵢ = s] τᵢ

The rescale is mergekit's: it restores each task vector's L1 norm, which in expectation is the paper's 1 / (1 − p).
``rescale`` is on and ``normalize`` off by default, as in mergekit; ``seed`` makes the drop reproducible. The L2S
study (Wu et al. 2025) uses DARE-TIES with p = 0.3 (``density: 0.7``).
"""

from corta.models.merging.methods.generalized import GeneralizedTaskArithmetic, RandomDropParameters


class DareParameters(RandomDropParameters):
    """DARE rescales the kept entries by default."""

    rescale: bool = True


_PAPER = (
    "Yu et al. 2024, Language Models are Super Mario: Absorbing Abilities from Homologous Models as a Free Lunch, "
    "arXiv:2311.03099"
)

DARE_TIES = GeneralizedTaskArithmetic(
    name="dare_ties", paper=_PAPER, parameters=DareParameters, consensus="sum", sparsification="random"
)
DARE_LINEAR = GeneralizedTaskArithmetic(
    name="dare_linear", paper=_PAPER, parameters=DareParameters, sparsification="random"
)
