"""The search's view of a plan: its distance and one violation amount per term, and the weighted objective.

Terms: `coverage` (customers missing, repeated or unassigned), `capacity` (load above capacity, summed over
routes), `time_window` (time warp: how far back in time a vehicle must jump to start each service by its due time,
Nagata et al. 2010; zero exactly when every arrival is in time), `vehicles` (routes beyond the fleet), `penalty`
(the generated penalty's value) and `checker` (0 when the generated checker accepts the plan).

A checker only says yes or no; a search with a checker but no penalty needs a slope to follow. When the checker
rejects a plan, its violation is 1 + ½·(share of customers on routes the checker rejects on their own: a slope for
constraints that hold route by route) + ½/(passes the checker made over the routes before rejecting them: checkers
written as a sequence of constraint blocks, as RoutBench's are, read the routes once per block, so more passes mean
more blocks already satisfied — a slope for conjunctions of constraints on the whole plan).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corta.solvers.routing.constraints import Check, GeneratedConstraints, Penalty
from corta.solvers.routing.instance import as_problem_data
from corta.solvers.routing.penalties import PenaltyWeights
from corta.solvers.routing.state import VrpState

_ROUTE_VERDICTS_KEPT = 200_000


@dataclass(frozen=True)
class Evaluation:
    """A plan's distance and its violation amount per term (0.0 when the term is satisfied)."""

    distance: float
    violations: dict[str, float]

    @property
    def feasible(self) -> bool:
        return not any(self.violations.values())


class Evaluator:
    """Distances, loads, schedules and constraint code of one instance, as plain lists for fast inner loops.

    Parameters
    ----------
    problem_data
        The instance (a `ProblemData` or a dict with its keys).
    check, penalty
        Generated constraint code (see `constraints`); either, both or none.
    """

    def __init__(
        self, problem_data: Mapping[str, Any], check: Check | None = None, penalty: Penalty | None = None
    ) -> None:
        data = as_problem_data(problem_data)
        self.data = data
        self.size = len(data.demand)
        self.dist: list[list[float]] = np.asarray(data.edge_weight, dtype=float).tolist()
        self.dist_to: list[list[float]] = np.asarray(data.edge_weight, dtype=float).T.tolist()  # [to][from]
        self.symmetric = bool(np.array_equal(data.edge_weight, np.transpose(data.edge_weight)))
        self.demand: list[float] = [float(value) for value in data.demand]
        self.capacity = float(data.capacity)
        self.num_vehicles = int(data.num_vehicles)
        self.has_time_windows = data.has_time_windows
        windows = data.time_window if data.time_window is not None else np.zeros((self.size, 2))
        service = data.service_time if data.service_time is not None else np.zeros(self.size)
        self.ready: list[float] = [float(value) for value in windows[:, 0]]
        self.due: list[float] = [float(value) for value in windows[:, 1]]
        self.service: list[float] = [float(value) for value in service]
        self.constraints = GeneratedConstraints(check, penalty) if check or penalty else None
        self.neighbours: list[list[int]] = [
            [int(node) for node in np.argsort(row, kind="stable") if node not in (0, customer)]
            for customer, row in enumerate(np.asarray(data.edge_weight, dtype=float))
        ]
        self.weights = PenaltyWeights(self._initial_weights(), fixed=frozenset({"coverage"}))
        self._route_verdicts: dict[tuple[int, ...], bool] = {}

    @property
    def customers(self) -> range:
        return range(1, self.size)

    def _initial_weights(self) -> dict[str, float]:
        unit = float(np.mean(self.dist[0][1:]))  # a typical depot leg: the price of one detour
        served = [value for value in self.demand[1:] if value > 0]
        return {
            "coverage": 10 * max(map(max, self.dist)) + 1.0,
            "capacity": unit / (float(np.mean(served)) if served else 1.0),
            "time_window": 1.0,
            "vehicles": 2 * unit,
            "penalty": unit,
            "checker": 4 * unit,
        }

    # Route measures -----------------------------------------------------------------------------------------

    def route_distance(self, route: Sequence[int]) -> float:
        dist, previous, total = self.dist, 0, 0.0
        for node in route:
            total += dist[previous][node]
            previous = node
        return total + dist[previous][0]

    def route_load(self, route: Sequence[int]) -> float:
        demand = self.demand
        return sum(demand[node] for node in route)

    def route_time_warp(self, route: Sequence[int]) -> float:
        """Total time warp of a route that leaves the depot when it opens; waiting is allowed."""
        if not self.has_time_windows:
            return 0.0
        dist, ready, due, service = self.dist, self.ready, self.due, self.service
        time, warp, previous = ready[0], 0.0, 0
        for node in (*route, 0):
            time = time + service[previous]  # service, then travel: the order RoutBench checkers add them in
            time = time + dist[previous][node]
            if time < ready[node]:
                time = ready[node]
            elif time > due[node]:
                warp += time - due[node]
                time = due[node]
            previous = node
        return warp

    # Plans --------------------------------------------------------------------------------------------------

    def evaluate(self, state: VrpState) -> Evaluation:
        """Distance and every violation term of a plan; the constraint code sees a copy of it."""
        routes = [route for route in state.routes if route]
        capacity = self.capacity
        distance = capacity_excess = time_warp = 0.0
        seen: set[int] = set()
        repeated = 0
        for route in routes:
            distance += self.route_distance(route)
            capacity_excess += max(0.0, self.route_load(route) - capacity)
            time_warp += self.route_time_warp(route)
            repeated += len(route) - len(set(route)) + len(seen.intersection(route))
            seen.update(route)
        missing = len(set(self.customers) - seen) + len(seen - set(self.customers))
        violations = {
            "coverage": float(missing + repeated),
            "capacity": capacity_excess,
            "time_window": time_warp,
            "vehicles": float(max(0, len(routes) - self.num_vehicles)),
            "penalty": 0.0,
            "checker": 0.0,
        }
        if self.constraints is not None:
            violations["penalty"], violations["checker"] = self.generated_violations(routes, record=True)
        return Evaluation(distance, violations)

    def objective(self, evaluation: Evaluation) -> float:
        weights = self.weights
        return evaluation.distance + sum(
            weights[term] * amount for term, amount in evaluation.violations.items() if amount
        )

    def generated_violations(self, routes: list[list[int]], record: bool = False) -> tuple[float, float]:
        """(penalty, checker) violations of a plan, complete or partial; `record` counts code failures."""
        constraints = self.constraints
        if constraints is None:
            return 0.0, 0.0
        routes = [route for route in routes if route]
        penalty = constraints.violation(VrpState([route[:] for route in routes], self.data), record)
        counted = _CountedRoutes(route[:] for route in routes)
        if constraints.check is None or constraints.passes(VrpState(counted, self.data), record):
            return penalty, 0.0
        rejected = sum(len(route) for route in routes if not self._route_passes(route))
        return penalty, 1.0 + 0.5 * rejected / self.data.num_customers + 0.5 / max(1, counted.passes)

    def generated_cost(self, routes: list[list[int]], record: bool = False) -> float:
        """The weighted generated violations of a plan: what constraint-aware moves compare."""
        penalty, checker = self.generated_violations(routes, record)
        weights = self.weights
        return weights["penalty"] * penalty + weights["checker"] * checker

    def _route_passes(self, route: list[int]) -> bool:
        key = tuple(route)
        verdict = self._route_verdicts.get(key)
        if verdict is None and self.constraints is not None:
            if len(self._route_verdicts) >= _ROUTE_VERDICTS_KEPT:
                self._route_verdicts.clear()
            verdict = self.constraints.passes(VrpState([list(route)], self.data), record=False)
            self._route_verdicts[key] = verdict
        return bool(verdict)


class _CountedRoutes(list):
    """A plan's routes that count how often a checker starts a pass over them."""

    passes = 0

    def __iter__(self):
        self.passes += 1
        return super().__iter__()
