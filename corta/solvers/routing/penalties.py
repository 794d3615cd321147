"""Adaptive penalty weights: raised while the current plan violates a term, lowered while it satisfies it.

The rule of Cordeau, Laporte and Mercier's unified tabu search (2001, §2.3): after each iteration every weight is
multiplied by (1 + δ) if the current plan violates its term and divided by (1 + δ) otherwise, within bounds, so
the search oscillates around the feasibility boundary instead of staying far inside or outside it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class PenaltyWeights:
    """One weight per violation term; `initial` fixes the starting values and the bounds around them.

    Parameters
    ----------
    initial
        The reference weight of each term, in objective units (distance) per unit of violation.
    start
        The weights start at `start` × reference: strict, so that the first plans respect what they can see;
        they fall from there while the plans stay feasible.
    step
        δ: the relative change per iteration.
    lowest, highest
        The bounds, as multiples of the reference weight.
    fixed
        Terms whose weight never changes (a plan that misses customers is never a stepping stone).
    """

    initial: Mapping[str, float]
    start: float = 10.0
    step: float = 0.1
    lowest: float = 0.05
    highest: float = 1e4
    fixed: frozenset[str] = frozenset()
    values: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        self.values = {
            term: weight * (1 if term in self.fixed else self.start) for term, weight in self.initial.items()
        }

    def __getitem__(self, term: str) -> float:
        return self.values[term]

    def update(self, violations: Mapping[str, float]) -> None:
        """One adaptation step from the current plan's violations."""
        for term, amount in violations.items():
            if term in self.fixed:
                continue
            start = self.initial[term]
            if amount > 0:
                self.values[term] = min(start * self.highest, self.values[term] * (1 + self.step))
            else:
                self.values[term] = max(start * self.lowest, self.values[term] / (1 + self.step))
