"""The operators of the ALNS backbone, one per file: destroy (removal), repair (insertion), local search.

Destroy and repair operators have the `alns` signature `(state, rng, **kwargs) -> state` and never change the
state they are given.
"""

from corta.solvers.routing.operators.greedy_insertion import greedy_insertion
from corta.solvers.routing.operators.local_search import local_search
from corta.solvers.routing.operators.random_removal import random_removal
from corta.solvers.routing.operators.regret_insertion import regret2_insertion, regret3_insertion
from corta.solvers.routing.operators.related_removal import related_removal
from corta.solvers.routing.operators.string_removal import string_removal
from corta.solvers.routing.operators.worst_removal import worst_removal

DESTROY_OPERATORS = {
    "random_removal": random_removal,
    "worst_removal": worst_removal,
    "related_removal": related_removal,
    "string_removal": string_removal,
}
REPAIR_OPERATORS = {
    "greedy_insertion": greedy_insertion,
    "regret2_insertion": regret2_insertion,
    "regret3_insertion": regret3_insertion,
}

__all__ = ["DESTROY_OPERATORS", "REPAIR_OPERATORS", "local_search"]
