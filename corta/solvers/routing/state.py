"""A routing plan as the `alns` package and RoutBench checkers see it: routes of customers, the depot implicit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corta.solvers.routing.evaluator import Evaluation, Evaluator


@dataclass(eq=False)
class VrpState:
    """A plan: `routes` lists the customers of each vehicle in visiting order (the depot 0 starts and ends every
    route and never appears in it); `unassigned` holds customers a destroy operator took out.

    `objective()` is what `alns` minimises: the distance plus the weighted violations of the `evaluator` (the
    search's, with its adaptive weights and constraint code; by default one for capacity and time windows only).
    """

    routes: list[list[int]]
    problem_data: Mapping[str, Any]
    unassigned: list[int] = field(default_factory=list)
    evaluator: Evaluator | None = field(default=None, repr=False)
    _cache: tuple[tuple, Evaluation] | None = field(default=None, init=False, repr=False)

    def copy(self) -> VrpState:
        """A copy whose routes can change without touching this plan (the data and evaluator are shared)."""
        return VrpState(
            [route[:] for route in self.routes], self.problem_data, self.unassigned[:], self.evaluator
        )

    def cost(self) -> float:
        """The travelled distance."""
        weights = self.problem_data["edge_weight"]
        return float(
            sum(
                weights[0][route[0]] + weights[route[-1]][0] + sum(weights[a][b] for a, b in pairwise(route))
                for route in self.routes
                if route
            )
        )

    def evaluation(self) -> Evaluation:
        """Distance and violations, computed once per distinct plan (operators may edit routes in place)."""
        key = (tuple(map(tuple, self.routes)), tuple(self.unassigned))
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, self.ensure_evaluator().evaluate(self))
        return self._cache[1]

    def objective(self) -> float:
        """Distance + Σ weight × violation, under the evaluator's current weights."""
        return self.ensure_evaluator().objective(self.evaluation())

    def ensure_evaluator(self) -> Evaluator:
        """The plan's evaluator; one for capacity and time windows only when none was given."""
        if self.evaluator is None:
            from corta.solvers.routing.evaluator import Evaluator  # the evaluator builds states: import late

            self.evaluator = Evaluator(self.problem_data)
        return self.evaluator
