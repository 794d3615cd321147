"""Check a plan independently of the search: coverage, capacity, time windows, fleet, and the constraint checker.

Times follow RoutBench's checkers exactly (leave the depot at 0, travel, wait for the window to open, serve; late
when service would start after the due time, the return to the depot included), so a plan passes here and there
alike, to the last floating-point bit.
"""

from collections.abc import Iterable, Mapping, Sequence
from numbers import Integral
from typing import Any

import numpy as np

from corta.solvers.routing.constraints import Check, call_checker
from corta.solvers.routing.state import VrpState


class Violation(str):
    """One violation in words, which also names the nodes concerned (to flag them on a plot)."""

    nodes: tuple[int, ...]

    def __new__(cls, text: str, nodes: Iterable[int] = ()) -> "Violation":
        violation = super().__new__(cls, text)
        violation.nodes = tuple(nodes)
        return violation


def verify(
    state_or_routes: VrpState | Sequence[Sequence[int]],
    problem_data: Mapping[str, Any],
    checker: Check | None = None,
) -> list[str]:
    """Everything wrong with a plan, in words; [] when it is feasible.

    Checks that every customer is visited exactly once and no route visits the depot or is empty, the load of each
    route, the time windows (with waiting and service times) when the data has them, the number of vehicles, and
    the checker's verdict (a checker that raises or returns a non-bool is reported as such). The items are
    `Violation`s: strings that also carry the nodes concerned.
    """
    routes = [list(route) for route in getattr(state_or_routes, "routes", state_or_routes)]
    size = len(problem_data["demand"])
    violations = _coverage(routes, size)
    valid = {
        number for number, route in enumerate(routes, start=1) if all(_is_customer(n, size) for n in route)
    }
    violations += _capacity(routes, valid, problem_data)
    if "time_window" in problem_data:
        violations += _time_windows(routes, valid, problem_data)
    fleet = problem_data.get("num_vehicles", problem_data.get("vehicles"))
    used = sum(1 for route in routes if route)
    if fleet is not None and used > fleet:
        violations.append(Violation(f"the plan uses {used} vehicles > {fleet} available"))
    if checker is not None:
        verdict, problem = call_checker(checker, VrpState(routes, problem_data))
        if problem:
            violations.append(Violation(problem))
        elif not verdict:
            violations.append(Violation("the constraint checker rejects the plan"))
    return violations


def _coverage(routes: list[list[int]], size: int) -> list[str]:
    violations: list[str] = []
    visits: dict[int, list[int]] = {}
    for number, route in enumerate(routes, start=1):
        if not route:
            violations.append(Violation(f"route {number} is empty"))
        for node in route:
            if node == 0:
                violations.append(Violation(f"route {number} visits the depot 0 inside the route", [0]))
            elif not _is_customer(node, size):
                violations.append(Violation(f"route {number} visits node {node!r}, which does not exist"))
            else:
                visits.setdefault(node, []).append(number)
    for customer in range(1, size):
        where = visits.get(customer, [])
        if not where:
            violations.append(Violation(f"customer {customer} is not visited", [customer]))
        elif len(where) > 1:
            numbers = ", ".join(map(str, where))
            violations.append(
                Violation(f"customer {customer} is visited {len(where)} times (routes {numbers})", [customer])
            )
    return violations


def _is_customer(node: object, size: int) -> bool:
    return isinstance(node, Integral) and not isinstance(node, bool) and 0 < int(node) < size


def _capacity(routes: list[list[int]], valid: set[int], data: Mapping[str, Any]) -> list[str]:
    demand, capacity = data["demand"], data["capacity"]
    violations: list[str] = []
    for number, route in enumerate(routes, start=1):
        if number not in valid or not route:
            continue
        loads = np.cumsum([demand[node] for node in route])
        if loads[-1] > capacity:
            first_over = route[int(np.argmax(loads > capacity))]  # where the vehicle runs out of room
            violations.append(
                Violation(f"route {number} carries {loads[-1]:g} > capacity {capacity:g}", [first_over])
            )
    return violations


def _time_windows(routes: list[list[int]], valid: set[int], data: Mapping[str, Any]) -> list[str]:
    weights, windows = data["edge_weight"], data["time_window"]
    service = data["service_time"] if "service_time" in data else [0] * len(windows)
    violations: list[str] = []
    for number, route in enumerate(routes, start=1):
        if number not in valid:
            continue
        time, previous = 0, 0
        for node in [*route, 0]:
            arrival = time + weights[previous][node]
            time = arrival + max(0, windows[node][0] - arrival)  # the checkers' arithmetic, to the last bit
            if time > windows[node][1]:
                place = f"customer {node}" if node else "the depot"
                violations.append(
                    Violation(
                        f"route {number} reaches {place} at {arrival:g} > due {windows[node][1]:g}", [node]
                    )
                )
                break
            time += service[node]
            previous = node
    return violations
