"""Vehicle capacity: the load of each route (CVRP), with light routes for small vehicles (HCVRP), demand that
grows with the distance travelled (DCVRP), or a second product with its own limit (MCVRP)."""

from pydantic import Field

from corta.agents.router.constraint_db.base import (
    Amount,
    Capacity,
    ConstraintTemplate,
    NodeAmounts,
    NodeList,
    Parameters,
    capacity_code,
)

_LIMIT_CHECK = """
def ${p}check_constraints(state):
    demand = state.problem_data["demand"]
    capacity = $capacity
    for route in state.routes:
        if sum(demand[node] for node in route) > capacity:
            return False
    return True
"""

_LIMIT_PENALTY = """
def ${p}penalty(state):
    demand = state.problem_data["demand"]
    capacity = $capacity
    total = 0
    for route in state.routes:
        total += max(0, sum(demand[node] for node in route) - capacity)
    return float(total)
"""

_LIGHT_CHECK = """
def ${p}check_constraints(state):
    demand = state.problem_data["demand"]
    capacity = $capacity
    light = 0
    for route in state.routes:
        load = sum(demand[node] for node in route)
        if load > capacity:
            return False
        if load < $below:
            light += 1
    return light >= $routes
"""

_LIGHT_PENALTY = """
def ${p}penalty(state):
    demand = state.problem_data["demand"]
    capacity = $capacity
    total = 0
    light = 0
    excess = []
    for route in state.routes:
        load = sum(demand[node] for node in route)
        total += max(0, load - capacity)
        if load < $below:
            light += 1
        else:
            excess.append(load - $below)
    # Each missing light route costs one plus the excess load of the closest heavier route.
    missing = max(0, $routes - light)
    total += missing + sum(sorted(excess)[:missing])
    return float(total)
"""

_SURCHARGE_CHECK = """
def ${p}check_constraints(state):
    weights = state.problem_data["edge_weight"]
    demand = state.problem_data["demand"]
    capacity = $capacity
    for route in state.routes:
        load = 0
        travelled = 0
        previous = 0
        for node in route:
            travelled += weights[previous][node]
            node_demand = demand[node]
            if node in $nodes:
                node_demand += $factor * travelled ** 0.5
            load += node_demand
            previous = node
        if load > capacity:
            return False
    return True
"""

_SURCHARGE_PENALTY = """
def ${p}penalty(state):
    weights = state.problem_data["edge_weight"]
    demand = state.problem_data["demand"]
    capacity = $capacity
    total = 0
    for route in state.routes:
        load = 0
        travelled = 0
        previous = 0
        for node in route:
            travelled += weights[previous][node]
            node_demand = demand[node]
            if node in $nodes:
                node_demand += $factor * travelled ** 0.5
            load += node_demand
            previous = node
        total += max(0, load - capacity)
    return float(total)
"""

_PRODUCT_CHECK = """
def ${p}check_constraints(state):
    demand = state.problem_data["demand"]
    capacity = $capacity
    product = $product
    for route in state.routes:
        if sum(demand[node] for node in route) > capacity:
            return False
        if sum(product.get(node, 0) for node in route) > $product_capacity:
            return False
    return True
"""

_PRODUCT_PENALTY = """
def ${p}penalty(state):
    demand = state.problem_data["demand"]
    capacity = $capacity
    product = $product
    total = 0
    for route in state.routes:
        total += max(0, sum(demand[node] for node in route) - capacity)
        total += max(0, sum(product.get(node, 0) for node in route) - $product_capacity)
    return float(total)
"""


class LimitParameters(Parameters):
    capacity: Capacity = None


class LightParameters(Parameters):
    capacity: Capacity = None
    routes: int = Field(ge=1, description="How many routes at least must be light.")
    below: Amount = Field(description="A light route's total load is less than this, e.g. 100.")


class SurchargeParameters(Parameters):
    capacity: Capacity = None
    nodes: NodeList = Field(description="The nodes whose demand grows with the distance travelled.")
    factor: Amount = Field(
        description="Extra demand = factor × the square root of the distance travelled from the depot to the node."
    )


class ProductParameters(Parameters):
    capacity: Capacity = None
    deliveries: NodeAmounts = Field(description="Deliveries of the second product, e.g. 70 units at node 12.")
    product_capacity: Amount = Field(description="Load limit of the second product on each route.")


LIMIT = ConstraintTemplate(
    key="capacity.limit",
    family="capacity",
    description="Vehicle capacity: the total demand of the customers on each route is at most the capacity (the "
    "instance's, or a given one).",
    parameters=LimitParameters,
    check_code=_LIMIT_CHECK,
    penalty_code=_LIMIT_PENALTY,
    values=lambda params: {"capacity": capacity_code(params.capacity)},
    variants=("CVRP",),
)

LIGHT_ROUTES = ConstraintTemplate(
    key="capacity.light_routes",
    family="capacity",
    description="Heterogeneous fleet: every route is within the capacity, and at least a given number of routes "
    "carry a total load below a smaller limit (they are served by small vehicles).",
    parameters=LightParameters,
    check_code=_LIGHT_CHECK,
    penalty_code=_LIGHT_PENALTY,
    values=lambda params: {
        "capacity": capacity_code(params.capacity),
        "routes": params.routes,
        "below": params.below,
    },
    variants=("HCVRP",),
)

DISTANCE_SURCHARGE = ConstraintTemplate(
    key="capacity.distance_surcharge",
    family="capacity",
    description="Dynamic demand: every route is within the capacity, where the demand of the listed nodes grows "
    "by a factor times the square root of the distance the vehicle has travelled from the depot to them.",
    parameters=SurchargeParameters,
    check_code=_SURCHARGE_CHECK,
    penalty_code=_SURCHARGE_PENALTY,
    values=lambda params: {
        "capacity": capacity_code(params.capacity),
        "nodes": tuple(params.nodes),
        "factor": params.factor,
    },
    variants=("DCVRP",),
)

SECOND_PRODUCT = ConstraintTemplate(
    key="capacity.second_product",
    family="capacity",
    description="Multiple products: every route is within the capacity for the ordinary goods, and the "
    "deliveries of a second product (not in the instance data) on each route are within that product's own limit.",
    parameters=ProductParameters,
    check_code=_PRODUCT_CHECK,
    penalty_code=_PRODUCT_PENALTY,
    values=lambda params: {
        "capacity": capacity_code(params.capacity),
        "product": {item.node: item.amount for item in params.deliveries},
        "product_capacity": params.product_capacity,
    },
    variants=("MCVRP",),
)

TEMPLATES = (LIMIT, LIGHT_ROUTES, DISTANCE_SURCHARGE, SECOND_PRODUCT)
