"""Time windows: service starts within each node's window (VRPTW), some routes leaving the depot late (HVRPTW),
extra windows at some nodes (VRPMTW), or service that lasts longer the later it starts (DVRPTW).

Times run as RoutBench's checkers run them: a route leaves the depot at 0, a vehicle arriving early waits for the
window to open, service takes the node's service time, and the return to the depot must be within its window.
The instance's windows and service times are read from `problem_data`.
"""

from typing import Annotated

from pydantic import Field, field_validator

from corta.agents.router.constraint_db.base import ConstraintTemplate, NodeId, NodeList, Parameters

_WINDOWS_CHECK = """
def ${p}check_constraints(state):
    weights = state.problem_data["edge_weight"]
    windows = state.problem_data["time_window"]
    service = state.problem_data["service_time"]
    overrides = $overrides
    for route in state.routes:
        time = 0
        previous = 0
        for node in [*route, 0]:
            start, end = overrides.get(node, windows[node])
            arrival = time + weights[previous][node]
            time = arrival + max(0, start - arrival)
            if time > end:
                return False
            time += service[node]
            previous = node
    return True
"""

_WINDOWS_PENALTY = """
def ${p}penalty(state):
    weights = state.problem_data["edge_weight"]
    windows = state.problem_data["time_window"]
    service = state.problem_data["service_time"]
    overrides = $overrides
    total = 0
    for route in state.routes:
        time = 0
        previous = 0
        for node in [*route, 0]:
            start, end = overrides.get(node, windows[node])
            arrival = time + weights[previous][node]
            time = arrival + max(0, start - arrival)
            total += max(0, time - end)
            time += service[node]
            previous = node
    return float(total)
"""

_DELAYED_CHECK = """
def ${p}check_constraints(state):
    weights = state.problem_data["edge_weight"]
    windows = state.problem_data["time_window"]
    service = state.problem_data["service_time"]

    def on_time(route, departure):
        time = departure
        previous = 0
        for node in [*route, 0]:
            arrival = time + weights[previous][node]
            time = arrival + max(0, windows[node][0] - arrival)
            if time > windows[node][1]:
                return False
            time += service[node]
            previous = node
        return True

    if not all(on_time(route, 0) for route in state.routes):
        return False
    return sum(1 for route in state.routes if on_time(route, $start_time)) >= $routes
"""

_DELAYED_PENALTY = """
def ${p}penalty(state):
    weights = state.problem_data["edge_weight"]
    windows = state.problem_data["time_window"]
    service = state.problem_data["service_time"]

    def lateness(route, departure):
        late = 0
        time = departure
        previous = 0
        for node in [*route, 0]:
            arrival = time + weights[previous][node]
            time = arrival + max(0, windows[node][0] - arrival)
            late += max(0, time - windows[node][1])
            time += service[node]
            previous = node
        return late

    total = sum(lateness(route, 0) for route in state.routes)
    delayed = sorted(lateness(route, $start_time) for route in state.routes)
    # Each missing late-leaving route costs one plus the lateness of the closest route.
    ready = sum(1 for late in delayed if late == 0)
    missing = max(0, $routes - ready)
    total += missing + sum(delayed[ready : ready + missing])
    return float(total)
"""

_EXTRA_CHECK = """
def ${p}check_constraints(state):
    weights = state.problem_data["edge_weight"]
    windows = state.problem_data["time_window"]
    service = state.problem_data["service_time"]
    extra = $extra
    for route in state.routes:
        time = 0
        previous = 0
        for node in [*route, 0]:
            start, end = windows[node]
            arrival = time + weights[previous][node]
            time = arrival + max(0, start - arrival)
            if node in extra:
                if not (start <= time <= end or any(a <= time <= b for a, b in extra[node])):
                    return False
            elif time > end:
                return False
            time += service[node]
            previous = node
    return True
"""

_EXTRA_PENALTY = """
def ${p}penalty(state):
    weights = state.problem_data["edge_weight"]
    windows = state.problem_data["time_window"]
    service = state.problem_data["service_time"]
    extra = $extra
    total = 0
    for route in state.routes:
        time = 0
        previous = 0
        for node in [*route, 0]:
            start, end = windows[node]
            arrival = time + weights[previous][node]
            time = arrival + max(0, start - arrival)
            if node in extra:
                # How far service starts from the nearest of the node's windows.
                gaps = [max(0, a - time, time - b) for a, b in extra[node]]
                total += min(max(0, start - time, time - end), *gaps)
            else:
                total += max(0, time - end)
            time += service[node]
            previous = node
    return float(total)
"""

_GROWING_CHECK = """
def ${p}check_constraints(state):
    weights = state.problem_data["edge_weight"]
    windows = state.problem_data["time_window"]
    service = state.problem_data["service_time"]
    for route in state.routes:
        time = 0
        previous = 0
        for node in [*route, 0]:
            start, end = windows[node]
            arrival = time + weights[previous][node]
            time = arrival + max(0, start - arrival)
            if time > end:
                return False
            if node in $nodes:
                time += service[node] + (time - start)
            else:
                time += service[node]
            previous = node
    return True
"""

_GROWING_PENALTY = """
def ${p}penalty(state):
    weights = state.problem_data["edge_weight"]
    windows = state.problem_data["time_window"]
    service = state.problem_data["service_time"]
    total = 0
    for route in state.routes:
        time = 0
        previous = 0
        for node in [*route, 0]:
            start, end = windows[node]
            arrival = time + weights[previous][node]
            time = arrival + max(0, start - arrival)
            total += max(0, time - end)
            if node in $nodes:
                time += service[node] + (time - start)
            else:
                time += service[node]
            previous = node
    return float(total)
"""

Time = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class NodeWindow(Parameters):
    """A time window of one node."""

    node: NodeId
    window: tuple[Time, Time] = Field(description="[start, end]: service may start from start until end.")

    @field_validator("window")
    @classmethod
    def _opens_before_closing(cls, window: tuple[float, float]) -> tuple[float, float]:
        if window[0] > window[1]:
            raise ValueError(f"the window {list(window)} closes before it opens")
        return window


class WindowsParameters(Parameters):
    overrides: list[NodeWindow] = Field(
        default_factory=list,
        description="Windows that replace the instance's for some nodes; empty to keep the instance's.",
    )

    @field_validator("overrides")
    @classmethod
    def _one_per_node(cls, overrides: list[NodeWindow]) -> list[NodeWindow]:
        if len({item.node for item in overrides}) < len(overrides):
            raise ValueError("a node has two replacement windows")
        return overrides


class DelayedParameters(Parameters):
    start_time: Time = Field(description="When the late routes leave the depot, e.g. 300.")
    routes: int = Field(1, ge=1, description="How many routes leave late.")


class ExtraParameters(Parameters):
    windows: list[NodeWindow] = Field(
        min_length=1, description="Additional windows, e.g. node 4 with [900, 950]; a node may have several."
    )


class GrowingParameters(Parameters):
    nodes: NodeList = Field(description="The nodes whose service time grows.")


def _by_node(windows: list[NodeWindow]) -> dict[int, list[tuple[float, float]]]:
    extra: dict[int, list[tuple[float, float]]] = {}
    for item in windows:
        extra.setdefault(item.node, []).append(item.window)
    return extra


WINDOWS = ConstraintTemplate(
    key="time_windows.windows",
    family="time_windows",
    description="Time windows: service at each node (and the return to the depot) starts within its time "
    "window; a vehicle that arrives early waits. Uses the instance's windows, optionally replaced for some nodes.",
    parameters=WindowsParameters,
    check_code=_WINDOWS_CHECK,
    penalty_code=_WINDOWS_PENALTY,
    values=lambda params: {"overrides": {item.node: item.window for item in params.overrides}},
    variants=("VRPTW",),
)

DELAYED_START = ConstraintTemplate(
    key="time_windows.delayed_start",
    family="time_windows",
    description="Time windows with late departures: all routes meet the time windows, and a given number of them "
    "leave the depot at a later start time (e.g. 300) instead of 0 and still meet them.",
    parameters=DelayedParameters,
    check_code=_DELAYED_CHECK,
    penalty_code=_DELAYED_PENALTY,
    values=lambda params: {"start_time": params.start_time, "routes": params.routes},
    variants=("HVRPTW",),
)

EXTRA_WINDOWS = ConstraintTemplate(
    key="time_windows.extra_windows",
    family="time_windows",
    description="Multiple time windows: the listed nodes may also be served within additional windows besides "
    "their own; all other nodes keep their time windows. A vehicle waits only for the opening of a node's own "
    "window, so it must arrive within an additional window to use it. Use it instead of time_windows.windows.",
    parameters=ExtraParameters,
    check_code=_EXTRA_CHECK,
    penalty_code=_EXTRA_PENALTY,
    values=lambda params: {"extra": _by_node(params.windows)},
    variants=("VRPMTW",),
)

GROWING_SERVICE = ConstraintTemplate(
    key="time_windows.growing_service",
    family="time_windows",
    description="Time windows with dynamic service: all nodes meet their time windows, and at the listed nodes "
    "the service time grows by the time elapsed from the opening of the window until service starts.",
    parameters=GrowingParameters,
    check_code=_GROWING_CHECK,
    penalty_code=_GROWING_PENALTY,
    values=lambda params: {"nodes": tuple(params.nodes)},
    variants=("DVRPTW",),
)

TEMPLATES = (WINDOWS, DELAYED_START, EXTRA_WINDOWS, GROWING_SERVICE)
