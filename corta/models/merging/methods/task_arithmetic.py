"""Task arithmetic (Ilharco et al. 2023, "Editing Models with Task Arithmetic", ICLR, arXiv:2212.04089): add the
models' weighted task vectors to the base, with neither sparsification nor sign consensus.

    θ = θ₀ + λ Σᵢ wᵢ (θᵢ − θ₀)        (divided by Σᵢ wᵢ if ``normalize``; off by default, as in mergekit)

The L2S study (Wu et al. 2025) uses α = 0.7: ``weight: 0.7`` per model with ``lambda: 1``, or ``lambda: 0.7`` with
weights 1, the same merge while ``normalize`` is off.
"""

from corta.models.merging.methods.generalized import GeneralizedTaskArithmetic, TaskArithmeticParameters

TASK_ARITHMETIC = GeneralizedTaskArithmetic(
    name="task_arithmetic",
    paper="Ilharco et al. 2023, Editing Models with Task Arithmetic, arXiv:2212.04089",
    parameters=TaskArithmeticParameters,
)
