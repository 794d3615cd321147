"""Local search: relocate and or-opt (runs of 1–3 customers), swap, 2-opt within a route, 2-opt* between routes.

Granular (Toth & Vigo 2003): a move is only tried if it puts a customer next to one of its nearest neighbours
(a run goes after a neighbour, or before it when the neighbour starts its route).
First improvement on distance + weighted capacity, time-warp and fleet violations, each move priced in O(1) except
time warp, which is recomputed only for moves that could still pay off. With generated constraint code, an improving
move is applied only if the code's weighted violation does not eat the gain, so the search never trades a side
constraint for distance.
"""

from collections.abc import Callable, Collection
from itertools import pairwise

import numpy as np

from corta.solvers.routing.evaluator import Evaluator
from corta.solvers.routing.state import VrpState

NEIGHBOURS = 10
RUN_LENGTHS = (1, 2, 3)
EPSILON = 1e-9

Changes = dict[int, list[int]]  # route index -> its new customer list


def local_search(
    state: VrpState, rng: np.random.Generator, focus: Collection[int] | None = None, **_: object
) -> VrpState:
    """A copy of `state` at a local optimum of the moves above (routes left empty are dropped).

    With `focus` (the customers a repair just inserted), only moves that touch one of their routes are tried until
    some move changes another route: the rest of the plan is taken to be locally optimal already.
    """
    improved = state.copy()
    search = _Search(improved.ensure_evaluator(), improved.routes)
    if focus is not None:
        focused = {search.route_of[customer] for customer in focus}
        search.changed_at = [0 if index in focused else -1 for index in range(len(improved.routes))]
    search.descend(rng)
    improved.routes = [route for route in search.routes if route]
    return improved


class _Search:
    def __init__(self, evaluator: Evaluator, routes: list[list[int]]) -> None:
        self.evaluator = evaluator
        self.routes = routes
        self.route_of = [-1] * evaluator.size
        self.position = [0] * evaluator.size
        self.loads = [0.0] * len(routes)
        self.prefix_loads: list[list[float]] = [[] for _ in routes]
        self.warps = [0.0] * len(routes)
        for index in range(len(routes)):
            self._refresh(index)
        self.moves = 0
        self.changed_at = [0] * len(routes)
        self.over_fleet = sum(1 for route in routes if route) > evaluator.num_vehicles
        self.generated = (
            evaluator.generated_cost(routes, record=True) if evaluator.constraints is not None else 0.0
        )

    def descend(self, rng: np.random.Generator) -> None:
        """First improvement until no move pays; a pair (u, v) is retried only after one of its routes changed."""
        evaluator = self.evaluator
        # A cap on applied moves: each lowers the objective, so this only stops pathological runs.
        budget = 50 * evaluator.size
        tested_at = [0] * evaluator.size
        improved = True
        while improved and budget > 0:
            improved = False
            for u in (rng.permutation(evaluator.size - 1) + 1).tolist():
                if self.route_of[u] < 0:
                    continue
                tested, changed_at, route_of = tested_at[u], self.changed_at, self.route_of
                for v in evaluator.neighbours[u][:NEIGHBOURS]:
                    if route_of[v] < 0 or (
                        tested > changed_at[route_of[u]] and tested > changed_at[route_of[v]]
                    ):
                        continue
                    if self._improve_pair(u, v):
                        improved = True
                        budget -= 1
                tested_at[u] = self.moves

    def _improve_pair(self, u: int, v: int) -> bool:
        a, b = self.route_of[u], self.route_of[v]
        clean = self._clean(a, b)
        return (
            self._relocate(u, v, clean)
            or self._swap(u, v, clean)
            or (self._two_opt_star(u, v, clean) if a != b else self._two_opt(u, v, clean))
        )

    # Moves ----------------------------------------------------------------------------------------------------

    def _relocate(self, u: int, v: int, clean: bool) -> bool:
        """Move a run of 1–3 customers starting at u to just after v (or before v when v starts its route)."""
        a, i, b, j = self.route_of[u], self.position[u], self.route_of[v], self.position[v]
        route_a, route_b = self.routes[a], self.routes[b]
        d = self.evaluator.dist
        p = route_a[i - 1] if i else 0
        after_v = route_b[j + 1] if j + 1 < len(route_b) else 0
        for length in RUN_LENGTHS:
            end = i + length
            if end > len(route_a) or (a == b and i <= j < end):  # the run is too long, or holds v
                return False
            last = route_a[end - 1]
            q = route_a[end] if end < len(route_a) else 0
            gain = d[p][u] + d[last][q] - d[p][q]
            places = [] if a == b and j + 1 == i else [(v, after_v, j + 1)]  # (x, y, index in route_b)
            if j == 0 and not (a == b and end == 0):
                places.append((0, v, 0))
            for x, y, k in places:
                delta = d[x][u] + d[last][y] - d[x][y] - gain
                if (delta < -EPSILON or not clean) and self._move_run(a, i, end, b, k, delta):
                    return True
        return False

    def _move_run(self, a: int, i: int, end: int, b: int, k: int, delta: float) -> bool:
        """Price and maybe apply: route a's customers i..end-1 to index k of route b (as indexed now)."""
        route_a, route_b = self.routes[a], self.routes[b]
        run = route_a[i:end]
        run_load = self.prefix_loads[a][end] - self.prefix_loads[a][i]
        loads = {a: self.loads[a] - run_load, b: self.loads[b] + run_load} if a != b else {}

        def build() -> Changes:
            if a == b:
                at = k if k < i else k - len(run)  # index k once the run is taken out
                rest = route_a[:i] + route_a[end:]
                return {a: rest[:at] + run + rest[at:]}
            return {a: route_a[:i] + route_a[end:], b: route_b[:k] + run + route_b[k:]}

        return self._attempt(delta, (a, b) if a != b else (a,), loads, build)

    def _swap(self, u: int, v: int, clean: bool) -> bool:
        a, b = self.route_of[u], self.route_of[v]
        i, j = self.position[u], self.position[v]
        if a == b and abs(i - j) < 2:
            return False
        route_a, route_b = self.routes[a], self.routes[b]
        pu, nu = (route_a[i - 1] if i else 0), (route_a[i + 1] if i + 1 < len(route_a) else 0)
        pv, nv = (route_b[j - 1] if j else 0), (route_b[j + 1] if j + 1 < len(route_b) else 0)
        d, demand = self.evaluator.dist, self.evaluator.demand
        delta = d[pu][v] + d[v][nu] + d[pv][u] + d[u][nv] - d[pu][u] - d[u][nu] - d[pv][v] - d[v][nv]
        if delta >= -EPSILON and clean:
            return False
        loads = (
            {}
            if a == b
            else {a: self.loads[a] - demand[u] + demand[v], b: self.loads[b] - demand[v] + demand[u]}
        )

        def build() -> Changes:
            new_a = route_a[:]
            new_a[i] = v
            if a == b:
                new_a[j] = u
                return {a: new_a}
            new_b = route_b[:]
            new_b[j] = u
            return {a: new_a, b: new_b}

        return self._attempt(delta, (a, b) if a != b else (a,), loads, build)

    def _two_opt_star(self, u: int, v: int, clean: bool) -> bool:
        """Exchange route tails so that v follows u: (…u | nu…) and (…pv | v…) become (…u v…) and (…pv nu…)."""
        a, b = self.route_of[u], self.route_of[v]
        i, j = self.position[u], self.position[v]
        route_a, route_b = self.routes[a], self.routes[b]
        nu = route_a[i + 1] if i + 1 < len(route_a) else 0
        pv = route_b[j - 1] if j else 0
        d = self.evaluator.dist
        delta = d[u][v] + d[pv][nu] - d[u][nu] - d[pv][v]
        if delta >= -EPSILON and clean:
            return False
        head_a, head_b = self.prefix_loads[a][i + 1], self.prefix_loads[b][j]
        loads = {a: head_a + self.loads[b] - head_b, b: head_b + self.loads[a] - head_a}
        return self._attempt(
            delta,
            (a, b),
            loads,
            lambda: {a: route_a[: i + 1] + route_b[j:], b: route_b[:j] + route_a[i + 1 :]},
        )

    def _two_opt(self, u: int, v: int, clean: bool) -> bool:
        """Reverse the stretch between u and v of their route so that they become adjacent."""
        route, i, j = self.routes[self.route_of[u]], self.position[u], self.position[v]
        if abs(i - j) < 2:
            return False
        first, last = (i + 1, j) if i < j else (j, i - 1)  # reversed: route[first..last]
        before = route[first - 1] if first else 0
        after = route[last + 1] if last + 1 < len(route) else 0
        d = self.evaluator.dist
        delta = (
            d[before][route[last]] + d[route[first]][after] - d[before][route[first]] - d[route[last]][after]
        )
        if not self.evaluator.symmetric:
            stretch = route[first : last + 1]
            delta += sum(d[y][x] - d[x][y] for x, y in pairwise(stretch))
        index = self.route_of[u]
        if delta >= -EPSILON and clean:
            return False
        return self._attempt(
            delta,
            (index,),
            {},
            lambda: {index: route[:first] + route[first : last + 1][::-1] + route[last + 1 :]},
        )

    # Pricing and applying -------------------------------------------------------------------------------------

    def _attempt(
        self, delta: float, touched: tuple[int, ...], loads: dict[int, float], build: Callable[[], Changes]
    ) -> bool:
        """Apply the move if it lowers the objective.

        `delta` is its change of distance, `touched` the routes it changes, `loads` their new loads where a load
        changes, and `build` makes the new routes (only called for moves that may pay off).
        """
        evaluator = self.evaluator
        weights = evaluator.weights
        capacity = evaluator.capacity
        if loads:
            delta += weights["capacity"] * sum(
                max(0.0, load - capacity) - max(0.0, self.loads[index] - capacity)
                for index, load in loads.items()
            )
        if evaluator.has_time_windows:
            if delta - weights["time_window"] * sum(self.warps[index] for index in touched) >= -EPSILON:
                return False
        elif delta >= -EPSILON:
            return False
        changes = build()
        if evaluator.has_time_windows:
            delta += weights["time_window"] * sum(
                evaluator.route_time_warp(route) - self.warps[index] for index, route in changes.items()
            )
        emptied = sum(1 for index, route in changes.items() if not route and self.routes[index])
        if emptied:
            used = sum(1 for route in self.routes if route)
            fleet = evaluator.num_vehicles
            delta += weights["vehicles"] * (max(0, used - emptied - fleet) - max(0, used - fleet))
        if delta >= -EPSILON:
            return False
        if evaluator.constraints is not None:
            trial = [changes.get(index, route) for index, route in enumerate(self.routes)]
            generated = evaluator.generated_cost(trial, record=True)
            if delta + generated - self.generated >= -EPSILON:
                return False
            self.generated = generated
        self.moves += 1
        for index, route in changes.items():
            self.routes[index] = route
            self._refresh(index)
            self.changed_at[index] = self.moves
        self.over_fleet = sum(1 for route in self.routes if route) > evaluator.num_vehicles
        return True

    def _clean(self, a: int, b: int) -> bool:
        """True when no penalty of routes a and b can fall: then a move that adds distance cannot pay."""
        return not (self.over_fleet or self.loads[a] > self.evaluator.capacity or self.warps[a]) and not (
            self.loads[b] > self.evaluator.capacity or self.warps[b]
        )

    def _refresh(self, index: int) -> None:
        evaluator, route = self.evaluator, self.routes[index]
        prefix = [0.0]
        for position, customer in enumerate(route):
            self.route_of[customer] = index
            self.position[customer] = position
            prefix.append(prefix[-1] + evaluator.demand[customer])
        self.prefix_loads[index] = prefix
        self.loads[index] = prefix[-1]
        self.warps[index] = evaluator.route_time_warp(route)
