"""Plans to try constraint code on: random splits of the customers into routes, one-move neighbours of a plan
(relocate a customer, swap two, reverse a stretch of a route), which stay close to a feasible plan's boundary, and
counterexamples that move the nodes a description names to where constraints on them bite.

Plain Python on lists, so the sandbox imports it to build plans next to the code under test.
"""

import random
from itertools import combinations

Plan = list[list[int]]
COUNTEREXAMPLE_NODES = 6  # pairs are formed among the first six named nodes


def random_plan(rng: random.Random, customers: int) -> Plan:
    """The customers 1..`customers` in a random order, cut into 2 to 8 routes."""
    order = rng.sample(range(1, customers + 1), customers)
    cuts = sorted(rng.sample(range(1, customers), min(customers - 1, rng.randint(1, 7))))
    return [order[start:end] for start, end in zip([0, *cuts], [*cuts, customers], strict=True)]


def neighbour(rng: random.Random, plan: Plan) -> Plan:
    """`plan` after one random move; every customer still visited once, no empty route."""
    routes = [route[:] for route in plan]
    move = rng.choice(("relocate", "swap", "reverse"))
    if move == "relocate":
        source = rng.choice(routes)
        customer = source.pop(rng.randrange(len(source)))
        target = rng.randrange(len(routes) + 1)
        if target == len(routes):
            routes.append([customer])
        else:
            routes[target].insert(rng.randint(0, len(routes[target])), customer)
    elif move == "swap":
        places = [(r, i) for r, route in enumerate(routes) for i in range(len(route))]
        if len(places) < 2:
            return routes
        (r1, i1), (r2, i2) = rng.sample(places, 2)
        routes[r1][i1], routes[r2][i2] = routes[r2][i2], routes[r1][i1]
    else:
        route = rng.choice(routes)
        start, end = sorted(rng.sample(range(len(route) + 1), 2))
        route[start:end] = route[start:end][::-1]
    return [route for route in routes if route]


def neighbours(rng: random.Random, plan: Plan, count: int) -> list[Plan]:
    """`count` distinct one-move neighbours of `plan` (fewer if it has fewer)."""
    found: dict[str, Plan] = {}
    for _ in range(20 * count):
        if len(found) == count:
            break
        candidate = neighbour(rng, plan)
        if candidate != plan:
            found.setdefault(repr(candidate), candidate)
    return list(found.values())


def _without(plan: Plan, *nodes: int) -> Plan:
    return [[node for node in route if node not in nodes] for route in plan]


def _tidy(plan: Plan) -> Plan:
    return [route for route in plan if route]


def _route_of(plan: Plan, node: int) -> int:
    return next(number for number, route in enumerate(plan) if node in route)


def _right_after(plan: Plan, first: int, second: int) -> Plan:
    """`second` moved to just after `first`."""
    routes = _without(plan, second)
    route = routes[_route_of(routes, first)]
    route.insert(route.index(first) + 1, second)
    return _tidy(routes)


def _apart(plan: Plan, first: int, second: int) -> Plan:
    """`second` moved to a route of its own, away from `first`."""
    return [*_tidy(_without(plan, second)), [second]]


def _at(plan: Plan, node: int, front: bool) -> Plan:
    routes = _without(plan, node)
    route = routes[_route_of(plan, node)]
    route.insert(0 if front else len(route), node)
    return _tidy(routes)


def counterexamples(plan: Plan, nodes: list[int]) -> list[Plan]:
    """Plans around `plan` where constraints on the named `nodes` bite: each node first, last and alone on its
    route; each pair consecutive in both orders and on separate routes. Nodes not in the plan are skipped."""
    present = {node for route in plan for node in route}
    named = [node for node in dict.fromkeys(nodes) if node in present][:COUNTEREXAMPLE_NODES]
    found: dict[str, Plan] = {}
    for node in named:
        for candidate in (_at(plan, node, True), _at(plan, node, False), _apart(plan, 0, node)):
            found.setdefault(repr(candidate), candidate)
    for first, second in combinations(named, 2):
        for candidate in (
            _right_after(plan, first, second),
            _right_after(plan, second, first),
            _apart(plan, first, second),
        ):
            found.setdefault(repr(candidate), candidate)
    return [candidate for key, candidate in found.items() if candidate != plan]
