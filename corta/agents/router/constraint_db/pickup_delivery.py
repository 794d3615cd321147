"""Pickup and delivery: mixed pickups and deliveries on one route (VRPMPD, with pickups that grow with the distance
travelled: DVRPMPD), with light returns for small vehicles (HVRPMPD), with a second product (MVRPMPD), and the
classic pairs of a pickup served before its delivery.

As in RoutBench, a route keeps a running balance that starts at 0 at the depot, rises by the demand of each
delivery node and falls by the amount collected at each pickup node (whose own demand is not delivered); it must
stay between 0 and the capacity after every stop.
"""

from typing import Annotated

from pydantic import AfterValidator, Field

from corta.agents.router.constraint_db.base import (
    Amount,
    Capacity,
    ConstraintTemplate,
    NodeAmounts,
    NodeGroup,
    NodeId,
    Parameters,
    capacity_code,
    distinct_nodes,
)
from corta.agents.router.constraint_db.same_vehicle import ORDERED

_MIXED_CHECK = """
def ${p}check_constraints(state):
    weights = state.problem_data["edge_weight"]
    demand = state.problem_data["demand"]
    capacity = $capacity
    pickups = $pickups
    for route in state.routes:
        load = 0
        travelled = 0
        previous = 0
        for node in route:
            travelled += weights[previous][node]
            if node in pickups:
                amount, factor = pickups[node]
                load -= amount + factor * travelled ** 0.5
            else:
                load += demand[node]
            if load > capacity or load < 0:
                return False
            previous = node
    return True
"""

_MIXED_PENALTY = """
def ${p}penalty(state):
    weights = state.problem_data["edge_weight"]
    demand = state.problem_data["demand"]
    capacity = $capacity
    pickups = $pickups
    total = 0
    for route in state.routes:
        load = 0
        travelled = 0
        previous = 0
        over = 0
        under = 0
        for node in route:
            travelled += weights[previous][node]
            if node in pickups:
                amount, factor = pickups[node]
                load -= amount + factor * travelled ** 0.5
            else:
                load += demand[node]
            over = max(over, load - capacity)
            under = max(under, -load)
            previous = node
        total += over + under
    return float(total)
"""

_LIGHT_CHECK = """
def ${p}check_constraints(state):
    weights = state.problem_data["edge_weight"]
    demand = state.problem_data["demand"]
    capacity = $capacity
    pickups = $pickups
    light = 0
    for route in state.routes:
        load = 0
        travelled = 0
        previous = 0
        for node in route:
            travelled += weights[previous][node]
            if node in pickups:
                amount, factor = pickups[node]
                load -= amount + factor * travelled ** 0.5
            else:
                load += demand[node]
            if load > capacity or load < 0:
                return False
            previous = node
        if load < $below:
            light += 1
    return light >= $routes
"""

_LIGHT_PENALTY = """
def ${p}penalty(state):
    weights = state.problem_data["edge_weight"]
    demand = state.problem_data["demand"]
    capacity = $capacity
    pickups = $pickups
    total = 0
    light = 0
    excess = []
    for route in state.routes:
        load = 0
        travelled = 0
        previous = 0
        over = 0
        under = 0
        for node in route:
            travelled += weights[previous][node]
            if node in pickups:
                amount, factor = pickups[node]
                load -= amount + factor * travelled ** 0.5
            else:
                load += demand[node]
            over = max(over, load - capacity)
            under = max(under, -load)
            previous = node
        total += over + under
        if load < $below:
            light += 1
        else:
            excess.append(load - $below)
    # Each missing light route costs one plus the excess of the closest heavier route.
    missing = max(0, $routes - light)
    total += missing + sum(sorted(excess)[:missing])
    return float(total)
"""

_PRODUCTS_CHECK = """
def ${p}check_constraints(state):
    demand = state.problem_data["demand"]
    capacity = $capacity
    product = $product
    pickups = $pickups
    for route in state.routes:
        load = 0
        product_load = 0
        for node in route:
            if node in pickups:
                load -= pickups[node][0]
                product_load -= pickups[node][1]
                if load < 0 or product_load < 0:
                    return False
            else:
                load += demand[node]
                if load > capacity:
                    return False
            if node in product:
                product_load += product[node]
                if product_load > $product_capacity:
                    return False
    return True
"""

_PRODUCTS_PENALTY = """
def ${p}penalty(state):
    demand = state.problem_data["demand"]
    capacity = $capacity
    product = $product
    pickups = $pickups
    total = 0
    for route in state.routes:
        load = 0
        product_load = 0
        over = 0
        under = 0
        for node in route:
            if node in pickups:
                load -= pickups[node][0]
                product_load -= pickups[node][1]
                under = max(under, -load, -product_load)
            else:
                load += demand[node]
                over = max(over, load - capacity)
            if node in product:
                product_load += product[node]
                over = max(over, product_load - $product_capacity)
        total += over + under
    return float(total)
"""


class Pickup(Parameters):
    """What is collected at a pickup node."""

    node: NodeId
    amount: Amount = Field(description="Units picked up.")
    distance_factor: float = Field(
        0.0,
        ge=0,
        allow_inf_nan=False,
        description="Extra units picked up: this factor times the square root of the distance travelled from "
        "the depot to the node; 0 for a fixed amount.",
    )


class ProductPickup(Parameters):
    """What is collected at a pickup node when there are two products."""

    node: NodeId
    amount: float = Field(ge=0, allow_inf_nan=False, description="Units of the ordinary goods picked up.")
    product_amount: float = Field(
        ge=0, allow_inf_nan=False, description="Units of the second product picked up."
    )


Pickups = Annotated[list[Pickup], Field(min_length=1), AfterValidator(distinct_nodes)]
ProductPickups = Annotated[list[ProductPickup], Field(min_length=1), AfterValidator(distinct_nodes)]


class MixedParameters(Parameters):
    capacity: Capacity = None
    pickups: Pickups = Field(description="The pickup nodes; every other node is a delivery.")


class LightParameters(MixedParameters):
    routes: int = Field(ge=1, description="How many routes at least must come back light.")
    below: Amount = Field(description="A light route's final balance is less than this, e.g. 100.")


class ProductsParameters(Parameters):
    capacity: Capacity = None
    deliveries: NodeAmounts = Field(description="Deliveries of the second product, e.g. 70 units at node 12.")
    pickups: ProductPickups = Field(description="The pickup nodes; every other node is a delivery.")
    product_capacity: Amount = Field(description="Limit of the second product's balance on each route.")


class PairsParameters(Parameters):
    pairs: list[NodeGroup] = Field(
        min_length=1,
        description="[pickup node, delivery node] pairs, e.g. [[3, 9]]; a longer list is a chain of stops "
        "served in that order.",
    )


def _pickups(params: MixedParameters) -> dict[int, tuple[float, float]]:
    return {item.node: (item.amount, item.distance_factor) for item in params.pickups}


MIXED = ConstraintTemplate(
    key="pickup_delivery.mixed",
    family="pickup_delivery",
    description="Mixed pickup and delivery: the listed nodes are pickups (of a fixed amount, or one that grows "
    "with the distance travelled) and all others deliveries; along each route a running balance, 0 at the depot, "
    "rises by each delivery's demand and falls by each pickup, and stays between 0 and the capacity.",
    parameters=MixedParameters,
    check_code=_MIXED_CHECK,
    penalty_code=_MIXED_PENALTY,
    values=lambda params: {"capacity": capacity_code(params.capacity), "pickups": _pickups(params)},
    variants=("VRPMPD", "DVRPMPD"),
)

LIGHT_RETURNS = ConstraintTemplate(
    key="pickup_delivery.light_returns",
    family="pickup_delivery",
    description="Mixed pickup and delivery with a heterogeneous fleet: as pickup_delivery.mixed, and at least a "
    "given number of routes end with a balance below a smaller limit (e.g. 100).",
    parameters=LightParameters,
    check_code=_LIGHT_CHECK,
    penalty_code=_LIGHT_PENALTY,
    values=lambda params: {
        "capacity": capacity_code(params.capacity),
        "pickups": _pickups(params),
        "routes": params.routes,
        "below": params.below,
    },
    variants=("HVRPMPD",),
)

TWO_PRODUCTS = ConstraintTemplate(
    key="pickup_delivery.two_products",
    family="pickup_delivery",
    description="Mixed pickup and delivery of two products stored apart: the ordinary goods keep a balance as in "
    "pickup_delivery.mixed; a second product (not in the instance data) is delivered at some nodes and picked up "
    "at the pickup nodes, its balance never above its own limit; a pickup needs enough of each product delivered "
    "before it (no balance goes below 0).",
    parameters=ProductsParameters,
    check_code=_PRODUCTS_CHECK,
    penalty_code=_PRODUCTS_PENALTY,
    values=lambda params: {
        "capacity": capacity_code(params.capacity),
        "product": {item.node: item.amount for item in params.deliveries},
        "pickups": {item.node: (item.amount, item.product_amount) for item in params.pickups},
        "product_capacity": params.product_capacity,
    },
    variants=("MVRPMPD",),
)

PAIRED = ConstraintTemplate(
    key="pickup_delivery.paired",
    family="pickup_delivery",
    description="Pickup and delivery pairs: each pickup node is on the same route as its delivery node and "
    "visited before it (other nodes may come between).",
    parameters=PairsParameters,
    check_code=ORDERED.check_code,
    penalty_code=ORDERED.penalty_code,
    values=lambda params: {"sequences": params.pairs},
    variants=("PDP",),
)

TEMPLATES = (MIXED, LIGHT_RETURNS, TWO_PRODUCTS, PAIRED)
