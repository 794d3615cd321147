"""Simulated annealing (Kirkpatrick et al. 1983) on a schedule of progress, not of iteration counts.

`alns`'s own `SimulatedAnnealing` cools by a fixed step per iteration, which needs the number of iterations in
advance; under a time limit that number is unknown. Here the temperature falls geometrically from `start` to `end`
as the search's progress goes from 0 to 1, progress being elapsed time over the time limit, or iterations over the
iteration budget when one is set (then the run is reproducible: nothing depends on the clock).
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from corta.solvers.routing.state import VrpState


@dataclass
class Progress:
    """How far the search has come, by the clock or, with `max_iterations`, by iterations."""

    seconds: float
    max_iterations: int | None = None
    iterations: int = 0
    started: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def fraction(self) -> float:
        if self.max_iterations:
            return min(1.0, self.iterations / self.max_iterations)
        return min(1.0, self.elapsed() / self.seconds) if self.seconds > 0 else 1.0


@dataclass
class AnnealingAcceptance:
    """The `alns` acceptance criterion: accept a worse candidate with probability exp(−Δ / T(progress)).

    Parameters
    ----------
    start, end
        The temperatures at progress 0 and 1, in objective units; `start ≥ end > 0`.
    progress
        The search's progress, advanced by whoever counts iterations.

    Raises
    ------
    ValueError
        When the temperatures are not positive or `start < end`.
    """

    start: float
    end: float
    progress: Progress

    def __post_init__(self) -> None:
        if not 0 < self.end <= self.start:
            raise ValueError(f"Temperatures must satisfy start ≥ end > 0, got {self.start} and {self.end}.")

    def temperature(self) -> float:
        return self.start * (self.end / self.start) ** self.progress.fraction()

    def __call__(
        self, rng: np.random.Generator, best: VrpState, current: VrpState, candidate: VrpState
    ) -> bool:
        worse_by = candidate.objective() - current.objective()
        draw = rng.random()  # drawn on every call, so the random stream does not depend on the outcome
        return worse_by <= 0 or draw < math.exp(-worse_by / self.temperature())
