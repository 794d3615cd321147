"""The routing backbone: adaptive large neighbourhood search (Ropke & Pisinger 2006) on the `alns` package.

Minimises distance + Σ_k w_k·violation_k (capacity, time warp, fleet, and the generated `penalty` and `check`
code; see `evaluator`), with weights adapted every iteration (`penalties`). Destroy: random, worst, related (Shaw)
and string (SISR) removal; repair: greedy insertion with blinks and regret-2/3 insertion, followed by a granular
local search when the candidate is promising. Roulette-wheel operator selection, simulated annealing on a time (or
iteration) schedule. The first plan comes from PyVRP for the standard part when `seed_with_pyvrp`, else from
regret insertion; the search keeps the shortest plan that satisfies everything, which `verify` then re-checks.

Reproducibility: with `max_iterations`, the same inputs and seed give the same routes (PyVRP then runs a fixed
number of iterations too, and nothing depends on the clock; `seconds` is ignored). Under a time limit the number of
iterations, and so the result, depends on the machine's speed and load.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from alns import ALNS
from alns.select import RouletteWheel
from alns.stop import MaxIterations, MaxRuntime

from corta.solvers.routing.acceptance import AnnealingAcceptance, Progress
from corta.solvers.routing.constraints import Check, Penalty
from corta.solvers.routing.evaluator import Evaluation, Evaluator
from corta.solvers.routing.instance import as_problem_data
from corta.solvers.routing.operators import DESTROY_OPERATORS, REPAIR_OPERATORS, local_search
from corta.solvers.routing.operators.regret_insertion import regret2_insertion
from corta.solvers.routing.seeding import pyvrp_routes
from corta.solvers.routing.state import VrpState
from corta.solvers.routing.verify import verify

SEED_SHARE = 0.3  # of the time limit, given to PyVRP
SEED_ITERATIONS_PER_ITERATION = 10  # PyVRP iterations per ALNS iteration under `max_iterations`
SCORES = (25.0, 5.0, 1.0, 0.0)  # roulette wheel: new best, better than current, accepted, rejected
DECAY = 0.8
TEMPERATURES = (0.003, 0.00005)  # start and end, as shares of the first plan's distance
IMPROVE_WITHIN = 0.05  # local search for candidates at most 5 % worse than the current plan
Operator = Callable[..., VrpState]  # alns's (state, rng, **kwargs) -> state


@dataclass
class RoutingResult:
    """The best plan found and how the search went.

    Parameters
    ----------
    routes
        The plan: customers of each vehicle in order, the depot 0 implicit.
    cost
        Its distance.
    feasible
        True when `verify` finds nothing wrong and the penalty (if any) is 0.
    violations
        What is wrong with the plan, in words (empty when feasible).
    seconds, iterations
        Time taken in all (PyVRP's seed included) and ALNS iterations.
    best_found_at
        Seconds from the start until the returned plan was found.
    constraint_errors, first_constraint_error
        How often the constraint code failed (raised, returned a non-bool or a bad penalty), and the first failure.
    seeded
        Whether PyVRP provided the first plan.

    Raises
    ------
    ValueError
        When a count or a duration is negative.
    """

    routes: list[list[int]]
    cost: float
    feasible: bool
    violations: list[str]
    seconds: float
    iterations: int
    best_found_at: float
    constraint_errors: int = 0
    first_constraint_error: str | None = None
    seeded: bool = False

    def __post_init__(self) -> None:
        if min(self.seconds, self.best_found_at, self.iterations, self.constraint_errors) < 0:
            raise ValueError("Durations and counts of a routing result cannot be negative.")


def solve(
    problem_data: Mapping[str, Any],
    check: Check | None = None,
    penalty: Penalty | None = None,
    seconds: float = 5.0,
    seed: int = 0,
    max_iterations: int | None = None,
    seed_with_pyvrp: bool = True,
) -> RoutingResult:
    """Search for the shortest plan that satisfies capacity, time windows, the fleet and the constraint code.

    Parameters
    ----------
    problem_data
        The instance (`instance.ProblemData`, or a dict with its keys such as `vrplib.read_instance` returns).
    check
        `check_constraints(state) -> bool`, RoutBench's signature: hard feasibility of the side constraints.
    penalty
        `penalty(state) -> float`: their graded violation, 0 exactly when satisfied. Without it, plans the
        checker rejects cost a large, adaptive constant (see `evaluator`).
    seconds
        Time limit for the whole solve, PyVRP's seed included; ignored when `max_iterations` is set.
    seed
        Seed of every random choice (and of PyVRP).
    max_iterations
        An iteration budget instead of the time limit; the result is then reproducible.
    seed_with_pyvrp
        Start from PyVRP's plan for the standard part (capacity, time windows, fleet).

    Raises
    ------
    ValueError
        When the problem data is incomplete or inconsistent, or the budget is not positive.
    """
    if seconds <= 0 or (max_iterations is not None and max_iterations < 1):
        raise ValueError("The time limit and the iteration budget must be positive.")
    progress = Progress(seconds, max_iterations)
    data = as_problem_data(problem_data)
    evaluator = Evaluator(data, check, penalty)
    rng = np.random.default_rng(seed)
    first, seeded = _first_plan(evaluator, rng, seed, seconds, max_iterations, seed_with_pyvrp)
    tracker = _Tracker(first, progress)
    if evaluator.size > 2:  # two customers or more: something to search
        _search(first, evaluator, rng, progress, tracker, seconds)
    best = tracker.best
    evaluation = best.evaluation()
    violations = verify(best, data, check)
    if penalty is not None and evaluation.violations["penalty"] > 0:
        violations.append(f"the penalty is {evaluation.violations['penalty']:g} > 0")
    errors = evaluator.constraints.errors if evaluator.constraints else None
    return RoutingResult(
        routes=[[int(customer) for customer in route] for route in best.routes],
        cost=evaluation.distance,
        feasible=not violations,
        violations=violations,
        seconds=progress.elapsed(),
        iterations=progress.iterations,
        best_found_at=tracker.found_at,
        constraint_errors=errors.count if errors else 0,
        first_constraint_error=errors.first if errors else None,
        seeded=seeded,
    )


def _first_plan(
    evaluator: Evaluator,
    rng: np.random.Generator,
    seed: int,
    seconds: float,
    max_iterations: int | None,
    seed_with_pyvrp: bool,
) -> tuple[VrpState, bool]:
    routes = None
    if seed_with_pyvrp:
        iterations = SEED_ITERATIONS_PER_ITERATION * max_iterations if max_iterations else None
        routes = pyvrp_routes(evaluator.data, seed, seconds=SEED_SHARE * seconds, iterations=iterations)
    if routes is None:
        empty = VrpState([], evaluator.data, list(evaluator.customers), evaluator)
        return local_search(regret2_insertion(empty, rng), rng), False
    return local_search(VrpState(routes, evaluator.data, evaluator=evaluator), rng), True


def _search(
    first: VrpState,
    evaluator: Evaluator,
    rng: np.random.Generator,
    progress: Progress,
    tracker: "_Tracker",
    seconds: float,
) -> None:
    alns = ALNS(rng)
    for name, destroy in DESTROY_OPERATORS.items():
        alns.add_destroy_operator(destroy, name)
    for name, repair in REPAIR_OPERATORS.items():
        alns.add_repair_operator(_then_improve(repair, tracker), name)
    for register, accepted in (
        (alns.on_best, True),
        (alns.on_better, True),
        (alns.on_accept, True),
        (alns.on_reject, False),
    ):
        register(tracker.observer(accepted))
    select = RouletteWheel(list(SCORES), DECAY, len(DESTROY_OPERATORS), len(REPAIR_OPERATORS))
    scale = max(first.evaluation().distance, 1e-6)
    accept = AnnealingAcceptance(TEMPERATURES[0] * scale, TEMPERATURES[1] * scale, progress)
    budget = progress.max_iterations
    stop = MaxIterations(budget) if budget else MaxRuntime(max(0.0, seconds - progress.elapsed()))
    alns.iterate(first, select, accept, stop)


def _then_improve(repair: Operator, tracker: "_Tracker") -> Operator:
    """The repair operator followed by local search when its candidate is within reach of the current plan."""

    def operator(state: VrpState, rng: np.random.Generator, **kwargs: object) -> VrpState:
        candidate = repair(state, rng, **kwargs)
        if candidate.objective() <= (1 + IMPROVE_WITHIN) * tracker.current.objective():
            candidate = local_search(candidate, rng, focus=state.unassigned)
        return candidate

    return operator


class _Tracker:
    """Counts iterations, adapts the weights to the current plan, and keeps the best plan.

    The best plan is the shortest feasible one; until there is one, the one with the least objective under the
    starting weights (fixed, so that plans found at different times compare fairly).
    """

    def __init__(self, first: VrpState, progress: Progress) -> None:
        self.progress = progress
        self.evaluator = first.ensure_evaluator()
        self.current = first
        self.best = first
        self.found_at = progress.elapsed()
        self._best_key = self._key(first.evaluation())

    def observer(self, accepted: bool) -> Callable[..., None]:
        def observe(candidate: VrpState, rng: np.random.Generator, **_: object) -> None:
            self.progress.iterations += 1
            evaluation = candidate.evaluation()
            key = self._key(evaluation)
            if key < self._best_key:
                self.best, self._best_key, self.found_at = candidate.copy(), key, self.progress.elapsed()
            if accepted:
                self.current = candidate
            self.evaluator.weights.update(self.current.evaluation().violations)

        return observe

    def _key(self, evaluation: Evaluation) -> tuple[bool, float]:
        if evaluation.feasible:
            return (False, evaluation.distance)
        initial = self.evaluator.weights.initial
        return (True, evaluation.distance + sum(initial[t] * v for t, v in evaluation.violations.items()))
