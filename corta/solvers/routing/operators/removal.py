"""What every destroy operator shares: how many customers to take out, and taking them out."""

from collections.abc import Iterable

import numpy as np

from corta.solvers.routing.state import VrpState


def removal_count(num_customers: int, rng: np.random.Generator) -> int:
    """Between 5 % and 30 % of the customers (at least 2, at most 40): small moves polish, large ones travel."""
    low = min(num_customers, max(2, num_customers // 20))
    high = min(num_customers, max(low, min(40, int(0.3 * num_customers) + 1)))
    return int(rng.integers(low, high + 1))


def remove_customers(state: VrpState, customers: Iterable[int]) -> VrpState:
    """A copy of `state` without `customers` (now unassigned); routes left empty are dropped."""
    taken = set(customers)
    destroyed = state.copy()
    destroyed.routes = [kept for route in destroyed.routes if (kept := [c for c in route if c not in taken])]
    destroyed.unassigned.extend(c for route in state.routes for c in route if c in taken)
    return destroyed


def assigned_customers(state: VrpState) -> list[int]:
    return [customer for route in state.routes for customer in route]
