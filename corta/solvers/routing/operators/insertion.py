"""What every repair operator shares: the cost of putting a customer at a position, and putting it there.

The cost of an insertion is Δdistance + w_capacity·Δexcess load + w_time·Δtime warp (+ w_vehicles for a route
beyond the fleet), each O(1): time windows through the time-warp segments of Vidal et al. (2013, "A hybrid genetic
algorithm with adaptive diversity management", §4.2), kept for every prefix and suffix of every route. With
generated constraint code, the cheapest options of a customer are tried on the partial plan and the code's
weighted violation is added, so that repairs follow side constraints they cannot see.
"""

from collections.abc import Sequence

from corta.solvers.routing.evaluator import Evaluator

# (duration, time warp, earliest start, latest start, first node, last node) of a run of visits.
Segment = tuple[float, float, float, float, int, int]
Option = tuple[float, int, int]  # (cost, route index, position); route index len(routes) opens a new route
GENERATED_TRIALS = 32  # options of a customer tried with the constraint code (the cheapest first)


class InsertionTables:
    """Loads and time-warp segments of the routes of a partial plan, updated as customers are inserted.

    Parameters
    ----------
    evaluator
        The search's evaluator (distances, windows, weights, constraint code).
    routes
        The routes, changed in place by `insert`.
    """

    def __init__(self, evaluator: Evaluator, routes: list[list[int]]) -> None:
        self.evaluator = evaluator
        self.routes = routes
        self.loads: list[float] = []
        self.warps: list[float] = []
        self.forward: list[list[Segment]] = []
        self.backward: list[list[Segment]] = []
        for index in range(len(routes)):
            self._append_tables(index)

    def options(self, customer: int) -> list[Option]:
        """Every position in every route, and a new route."""
        found = [
            option for index in range(len(self.routes)) for option in self.route_options(customer, index)
        ]
        found.append(self.new_route_option(customer))
        return found

    def route_options(self, customer: int, index: int) -> list[Option]:
        evaluator = self.evaluator
        dist, route = evaluator.dist, self.routes[index]
        weights = evaluator.weights
        load = self.loads[index]
        capacity_cost = weights["capacity"] * (
            max(0.0, load + evaluator.demand[customer] - evaluator.capacity)
            - max(0.0, load - evaluator.capacity)
        )
        found: list[Option] = []
        previous = 0
        to_customer, from_customer = evaluator.dist_to[customer], dist[customer]
        for position in range(len(route) + 1):
            following = route[position] if position < len(route) else 0
            cost = (
                to_customer[previous] + from_customer[following] - dist[previous][following] + capacity_cost
            )
            found.append((cost, index, position))
            previous = following
        if evaluator.has_time_windows:
            node = self._node(customer)
            forward, backward, warp = self.forward[index], self.backward[index], self.warps[index]
            time_weight = weights["time_window"]
            found = [
                (
                    cost
                    + time_weight * (_merge(_merge(forward[p], node, dist), backward[p], dist)[1] - warp),
                    i,
                    p,
                )
                for cost, i, p in found
            ]
        return found

    def new_route_option(self, customer: int) -> Option:
        evaluator = self.evaluator
        weights = evaluator.weights
        cost = evaluator.dist[0][customer] + evaluator.dist[customer][0]
        cost += weights["capacity"] * max(0.0, evaluator.demand[customer] - evaluator.capacity)
        cost += weights["time_window"] * evaluator.route_time_warp([customer])
        if sum(1 for route in self.routes if route) >= evaluator.num_vehicles:
            cost += weights["vehicles"]
        return (cost, len(self.routes), 0)

    def pick(self, customer: int, options: Sequence[Option]) -> Option:
        """The cheapest option; with constraint code, the cheapest once the code's weighted violation is added."""
        if self.evaluator.constraints is None:
            return min(options)
        best: tuple[float, Option] | None = None
        for option in sorted(options)[:GENERATED_TRIALS]:
            if best is not None and option[0] >= best[0]:
                break  # sorted by cost and violations are ≥ 0: no later option can be cheaper
            candidate = (option[0] + self._generated_cost(customer, option), option)
            best = candidate if best is None or candidate < best else best
        assert best is not None
        return best[1]

    def insert(self, customer: int, index: int, position: int) -> None:
        if index == len(self.routes):
            self.routes.append([customer])
            self._append_tables(index)
        else:
            self.routes[index].insert(position, customer)
            self._refresh(index)

    def _generated_cost(self, customer: int, option: Option) -> float:
        _, index, position = option
        trial = self.routes[:]
        if index == len(trial):
            trial.append([customer])
        else:
            trial[index] = [*trial[index][:position], customer, *trial[index][position:]]
        return self.evaluator.generated_cost(trial)

    def _node(self, customer: int) -> Segment:
        evaluator = self.evaluator
        return (
            evaluator.service[customer],
            0.0,
            evaluator.ready[customer],
            evaluator.due[customer],
            customer,
            customer,
        )

    def _append_tables(self, index: int) -> None:
        self.loads.append(0.0)
        self.warps.append(0.0)
        self.forward.append([])
        self.backward.append([])
        self._refresh(index)

    def _refresh(self, index: int) -> None:
        evaluator, route = self.evaluator, self.routes[index]
        self.loads[index] = evaluator.route_load(route)
        if not evaluator.has_time_windows:
            return
        dist, depot = evaluator.dist, self._node(0)
        forward = [depot]
        for customer in route:
            forward.append(_merge(forward[-1], self._node(customer), dist))
        backward = [depot]
        for customer in reversed(route):
            backward.append(_merge(self._node(customer), backward[-1], dist))
        backward.reverse()
        self.forward[index], self.backward[index] = forward, backward
        self.warps[index] = _merge(forward[-1], depot, dist)[1]


def _merge(first: Segment, second: Segment, dist: list[list[float]]) -> Segment:
    """The segment of `first` followed by `second` (Vidal et al. 2013, eq. 8–11)."""
    duration_a, warp_a, early_a, late_a, start_a, end_a = first
    duration_b, warp_b, early_b, late_b, start_b, end_b = second
    travel = dist[end_a][start_b]
    delta = duration_a - warp_a + travel
    wait = max(early_b - delta - late_a, 0.0)
    late_by = max(early_a + delta - late_b, 0.0)
    return (
        duration_a + duration_b + travel + wait,
        warp_a + warp_b + late_by,
        max(early_b - delta, early_a) - wait,
        min(late_b - delta, late_a) + late_by,
        start_a,
        end_b,
    )
