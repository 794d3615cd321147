"""Distance limit: the length of each route (VRPL), with short routes for small vehicles (HVRPL), a range
restored at recharge nodes (RVRP), or a range that drops at given nodes (DVRPL).

Lengths include the legs from and back to the depot.
"""

from pydantic import Field

from corta.agents.router.constraint_db.base import Amount, ConstraintTemplate, NodeList, Parameters

_LENGTH_CHECK = """
def ${p}check_constraints(state):
    weights = state.problem_data["edge_weight"]
    for route in state.routes:
        tour = [0, *route, 0]
        if sum(weights[a][b] for a, b in zip(tour, tour[1:])) > $max_length:
            return False
    return True
"""

_LENGTH_PENALTY = """
def ${p}penalty(state):
    weights = state.problem_data["edge_weight"]
    total = 0
    for route in state.routes:
        tour = [0, *route, 0]
        total += max(0, sum(weights[a][b] for a, b in zip(tour, tour[1:])) - $max_length)
    return float(total)
"""

_SHORT_CHECK = """
def ${p}check_constraints(state):
    weights = state.problem_data["edge_weight"]
    short = 0
    for route in state.routes:
        tour = [0, *route, 0]
        length = sum(weights[a][b] for a, b in zip(tour, tour[1:]))
        if length > $max_length:
            return False
        if length < $below:
            short += 1
    return short >= $routes
"""

_SHORT_PENALTY = """
def ${p}penalty(state):
    weights = state.problem_data["edge_weight"]
    total = 0
    short = 0
    excess = []
    for route in state.routes:
        tour = [0, *route, 0]
        length = sum(weights[a][b] for a, b in zip(tour, tour[1:]))
        total += max(0, length - $max_length)
        if length < $below:
            short += 1
        else:
            excess.append(length - $below)
    # Each missing short route costs one plus the excess length of the closest longer route.
    missing = max(0, $routes - short)
    total += missing + sum(sorted(excess)[:missing])
    return float(total)
"""

_RECHARGE_CHECK = """
def ${p}check_constraints(state):
    weights = state.problem_data["edge_weight"]
    for route in state.routes:
        remaining = $range_limit
        previous = 0
        for node in [*route, 0]:
            remaining -= weights[previous][node]
            if remaining < 0:
                return False
            if node in $nodes:
                remaining = $range_limit
            previous = node
    return True
"""

_RECHARGE_PENALTY = """
def ${p}penalty(state):
    weights = state.problem_data["edge_weight"]
    total = 0
    for route in state.routes:
        remaining = $range_limit
        previous = 0
        for node in [*route, 0]:
            remaining -= weights[previous][node]
            previous = node
            if node in $nodes or node == 0:
                # The range only falls between recharges: its lowest point is here.
                total += max(0, -remaining)
                remaining = $range_limit
    return float(total)
"""

_DROP_CHECK = """
def ${p}check_constraints(state):
    weights = state.problem_data["edge_weight"]
    for route in state.routes:
        remaining = $range_limit
        previous = 0
        for node in [*route, 0]:
            remaining -= weights[previous][node]
            if node in $nodes:
                remaining *= $factor
            if remaining < 0:
                return False
            previous = node
    return True
"""

_DROP_PENALTY = """
def ${p}penalty(state):
    weights = state.problem_data["edge_weight"]
    total = 0
    for route in state.routes:
        remaining = $range_limit
        shortfall = 0
        previous = 0
        for node in [*route, 0]:
            remaining -= weights[previous][node]
            if node in $nodes:
                remaining *= $factor
            shortfall = max(shortfall, -remaining)
            previous = node
        total += shortfall
    return float(total)
"""


class LengthParameters(Parameters):
    max_length: Amount = Field(description="The longest a route may be, e.g. 150.")


class ShortParameters(LengthParameters):
    routes: int = Field(ge=1, description="How many routes at least must be short.")
    below: Amount = Field(description="A short route's length is less than this, e.g. 150.")


class RechargeParameters(Parameters):
    range_limit: Amount = Field(description="The distance a vehicle can drive on a full range, e.g. 150.")
    nodes: NodeList = Field(description="The recharge nodes.")


class DropParameters(Parameters):
    range_limit: Amount = Field(description="The vehicle's range when it leaves the depot, e.g. 200.")
    nodes: NodeList = Field(description="The nodes after which the remaining range drops.")
    factor: float = Field(
        gt=0, le=1, description="What share of the remaining range is left after such a node: 0.5 halves it."
    )


MAX_LENGTH = ConstraintTemplate(
    key="distance_limit.max_length",
    family="distance_limit",
    description="Distance limit: the length of each route, depot to depot, is at most a given distance.",
    parameters=LengthParameters,
    check_code=_LENGTH_CHECK,
    penalty_code=_LENGTH_PENALTY,
    values=lambda params: {"max_length": params.max_length},
    variants=("VRPL",),
)

SHORT_ROUTES = ConstraintTemplate(
    key="distance_limit.short_routes",
    family="distance_limit",
    description="Heterogeneous distance limits: every route is at most a given length, and at least a given "
    "number of routes are shorter than a smaller length.",
    parameters=ShortParameters,
    check_code=_SHORT_CHECK,
    penalty_code=_SHORT_PENALTY,
    values=lambda params: {"max_length": params.max_length, "routes": params.routes, "below": params.below},
    variants=("HVRPL",),
)

RECHARGE = ConstraintTemplate(
    key="distance_limit.recharge",
    family="distance_limit",
    description="Recharging: a vehicle leaves the depot with a full range that each leg uses up; visiting a "
    "recharge node restores the full range; the remaining range never goes below zero.",
    parameters=RechargeParameters,
    check_code=_RECHARGE_CHECK,
    penalty_code=_RECHARGE_PENALTY,
    values=lambda params: {"range_limit": params.range_limit, "nodes": tuple(params.nodes)},
    variants=("RVRP",),
)

RANGE_DROP = ConstraintTemplate(
    key="distance_limit.range_drop",
    family="distance_limit",
    description="Dynamic range: a vehicle leaves the depot with a given range that each leg uses up; after "
    "visiting one of the listed nodes the remaining range is cut by a factor (halved, say); it never goes below "
    "zero.",
    parameters=DropParameters,
    check_code=_DROP_CHECK,
    penalty_code=_DROP_PENALTY,
    values=lambda params: {
        "range_limit": params.range_limit,
        "nodes": tuple(params.nodes),
        "factor": params.factor,
    },
    variants=("DVRPL",),
)

TEMPLATES = (MAX_LENGTH, SHORT_ROUTES, RECHARGE, RANGE_DROP)
