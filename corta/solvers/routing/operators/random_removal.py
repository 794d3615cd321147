"""Random removal (Ropke & Pisinger 2006): take out customers uniformly at random — pure diversification."""

import numpy as np

from corta.solvers.routing.operators.removal import assigned_customers, removal_count, remove_customers
from corta.solvers.routing.state import VrpState


def random_removal(state: VrpState, rng: np.random.Generator, **_: object) -> VrpState:
    customers = assigned_customers(state)
    count = min(len(customers), removal_count(len(customers), rng))
    return remove_customers(state, rng.choice(customers, size=count, replace=False).tolist())
