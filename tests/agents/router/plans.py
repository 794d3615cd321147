"""Plans to try constraint code on: random splits of the customers into routes, and one-move neighbours of a plan
(relocate a customer, swap two, reverse a stretch of a route), which stay close to a feasible plan's boundary."""

import random

Plan = list[list[int]]


def random_plan(rng: random.Random, customers: int) -> Plan:
    """The customers 1..`customers` in a random order, cut into 2 to 8 routes."""
    order = rng.sample(range(1, customers + 1), customers)
    cuts = sorted(rng.sample(range(1, customers), rng.randint(1, 7)))
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
        candidate = neighbour(rng, plan)
        if candidate != plan:
            found.setdefault(repr(candidate), candidate)
        if len(found) == count:
            break
    return list(found.values())
