"""Same vehicle: which customers share a route (VRPSVC), in a block (CluVRP), in an order (VRPSO), or never do
(VRPILC)."""

from pydantic import Field

from corta.agents.router.constraint_db.base import ConstraintTemplate, NodeGroup, Parameters

_TOGETHER_CHECK = """
def ${p}check_constraints(state):
    for group in $groups:
        if not any(all(node in route for node in group) for route in state.routes):
            return False
    return True
"""

_TOGETHER_PENALTY = """
def ${p}penalty(state):
    total = 0
    for group in $groups:
        together = max((sum(node in route for node in group) for route in state.routes), default=0)
        total += len(group) - together
    return float(total)
"""

_CONSECUTIVE_CHECK = """
def ${p}check_constraints(state):
    for group in $groups:
        route = next((route for route in state.routes if all(node in route for node in group)), None)
        if route is None:
            return False
        places = [route.index(node) for node in group]
        if max(places) - min(places) != len(group) - 1:
            return False
    return True
"""

_CONSECUTIVE_PENALTY = """
def ${p}penalty(state):
    total = 0
    for group in $groups:
        best = max(state.routes, key=lambda route: sum(node in route for node in group), default=[])
        places = [index for index, node in enumerate(best) if node in group]
        # Nodes on other routes, plus other nodes between those of the group.
        total += len(group) - len(places)
        if places:
            total += places[-1] - places[0] + 1 - len(places)
    return float(total)
"""

_ORDERED_CHECK = """
def ${p}check_constraints(state):
    for sequence in $sequences:
        for route in state.routes:
            if all(node in route for node in sequence):
                places = [route.index(node) for node in sequence]
                if places == sorted(places):
                    break
        else:
            return False
    return True
"""

_ORDERED_PENALTY = """
def ${p}penalty(state):
    total = 0
    for sequence in $sequences:
        best = max(state.routes, key=lambda route: sum(node in route for node in sequence), default=[])
        places = [best.index(node) for node in sequence if node in best]
        # Nodes on other routes, plus pairs served in the wrong order.
        total += len(sequence) - len(places)
        total += sum(1 for i, a in enumerate(places) for b in places[i + 1 :] if a > b)
    return float(total)
"""

_APART_CHECK = """
def ${p}check_constraints(state):
    for group in $groups:
        for route in state.routes:
            if sum(node in route for node in group) > 1:
                return False
    return True
"""

_APART_PENALTY = """
def ${p}penalty(state):
    total = 0
    for group in $groups:
        for route in state.routes:
            total += max(0, sum(node in route for node in group) - 1)
    return float(total)
"""


class GroupsParameters(Parameters):
    groups: list[NodeGroup] = Field(min_length=1, description="Groups of node ids, e.g. [[13, 23]].")


class SequencesParameters(Parameters):
    sequences: list[NodeGroup] = Field(
        min_length=1,
        description="Node ids in their visiting order, one list per sequence, e.g. [[13, 23]] (13 before 23).",
    )


TOGETHER = ConstraintTemplate(
    key="same_vehicle.together",
    family="same_vehicle",
    description="Same vehicle: all nodes of a group are served on one route (in any order, anywhere on it).",
    parameters=GroupsParameters,
    check_code=_TOGETHER_CHECK,
    penalty_code=_TOGETHER_PENALTY,
    values=lambda params: {"groups": params.groups},
    variants=("VRPSVC",),
)

CONSECUTIVE = ConstraintTemplate(
    key="same_vehicle.consecutive",
    family="same_vehicle",
    description="Clusters: all nodes of a group are on one route and visited consecutively, one right after "
    "another (in any order), with no other node between them.",
    parameters=GroupsParameters,
    check_code=_CONSECUTIVE_CHECK,
    penalty_code=_CONSECUTIVE_PENALTY,
    values=lambda params: {"groups": params.groups},
    variants=("CluVRP",),
)

ORDERED = ConstraintTemplate(
    key="same_vehicle.ordered",
    family="same_vehicle",
    description="Sequential order: the nodes of a sequence are on one route and visited in the given order "
    "(other nodes may come between them).",
    parameters=SequencesParameters,
    check_code=_ORDERED_CHECK,
    penalty_code=_ORDERED_PENALTY,
    values=lambda params: {"sequences": params.sequences},
    variants=("VRPSO",),
)

APART = ConstraintTemplate(
    key="same_vehicle.apart",
    family="same_vehicle",
    description="Incompatible loads: no two nodes of a group may be on the same route.",
    parameters=GroupsParameters,
    check_code=_APART_CHECK,
    penalty_code=_APART_PENALTY,
    values=lambda params: {"groups": params.groups},
    variants=("VRPILC",),
)

TEMPLATES = (TOGETHER, CONSECUTIVE, ORDERED, APART)
