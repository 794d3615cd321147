"""Priority: the order in which listed customers are served along their routes.

Levels are numbered from the lowest listed level (1) up to the highest (the number of levels); other customers
have level 0. Strict priority (VRPMP, PVRP) forbids the level to rise along a route; d-relaxed priority (VRP-dRP)
lets it rise by at most d from one stop to the next; early position (VRPRP) puts customers among the first stops.
"""

from pydantic import Field, field_validator

from corta.agents.router.constraint_db.base import ConstraintTemplate, NodeList, Parameters, distinct

_STRICT_CHECK = """
def ${p}check_constraints(state):
    levels = $levels
    for route in state.routes:
        previous = $top
        for node in route:
            level = levels.get(node, 0)
            if level > previous:
                return False
            previous = level
    return True
"""

_STRICT_PENALTY = """
def ${p}penalty(state):
    levels = $levels
    total = 0
    for route in state.routes:
        previous = $top
        for node in route:
            level = levels.get(node, 0)
            total += max(0, level - previous)
            previous = level
    return float(total)
"""

_RELAXED_CHECK = """
def ${p}check_constraints(state):
    levels = $levels
    for route in state.routes:
        previous = $top
        for node in route:
            level = levels.get(node, 0)
            if level > previous + $d:
                return False
            previous = level
    return True
"""

_RELAXED_PENALTY = """
def ${p}penalty(state):
    levels = $levels
    total = 0
    for route in state.routes:
        previous = $top
        for node in route:
            level = levels.get(node, 0)
            total += max(0, level - previous - $d)
            previous = level
    return float(total)
"""

_EARLY_CHECK = """
def ${p}check_constraints(state):
    for node in $nodes:
        if not any(node in route[:$positions] for route in state.routes):
            return False
    return True
"""

_EARLY_PENALTY = """
def ${p}penalty(state):
    total = 0
    for node in $nodes:
        places = [route.index(node) for route in state.routes if node in route]
        # Stops beyond the allowed ones; a customer on no route counts one.
        total += max(0, min(places) + 1 - $positions) if places else 1
    return float(total)
"""


class LevelsParameters(Parameters):
    levels: list[NodeList] = Field(
        min_length=1,
        description="The priority levels from the highest to the lowest, each a list of node ids, "
        "e.g. [[7], [5], [3]].",
    )

    @field_validator("levels")
    @classmethod
    def _one_level_per_node(cls, levels: list[list[int]]) -> list[list[int]]:
        distinct([node for level in levels for node in level])
        return levels


class RelaxedParameters(LevelsParameters):
    d: int = Field(1, ge=1, description="How many levels the priority may rise from one stop to the next.")


class FirstParameters(Parameters):
    nodes: NodeList = Field(description="The priority nodes.")


class EarlyParameters(Parameters):
    nodes: NodeList = Field(description="The nodes that must be served early.")
    positions: int = Field(ge=1, description="How many first stops of a route count as early, e.g. 3.")


def _numbered(levels: list[list[int]]) -> dict[str, object]:
    """The levels as {node: number}, the highest numbered len(levels), and that top number."""
    return {
        "levels": {node: len(levels) - rank for rank, group in enumerate(levels) for node in group},
        "top": len(levels),
    }


STRICT = ConstraintTemplate(
    key="priority.strict",
    family="priority",
    description="Strictly decreasing priority levels: on every route, higher-priority nodes are visited before "
    "lower-priority ones, and all of them before the other nodes (a route never goes up a level).",
    parameters=LevelsParameters,
    check_code=_STRICT_CHECK,
    penalty_code=_STRICT_PENALTY,
    values=lambda params: _numbered(params.levels),
    variants=("VRPMP",),
)

FIRST = ConstraintTemplate(
    key="priority.first",
    family="priority",
    description="Priority points: on its route, each priority node is visited before every non-priority node.",
    parameters=FirstParameters,
    check_code=_STRICT_CHECK,
    penalty_code=_STRICT_PENALTY,
    values=lambda params: _numbered([params.nodes]),
    variants=("PVRP",),
)

D_RELAXED = ConstraintTemplate(
    key="priority.d_relaxed",
    family="priority",
    description="d-relaxed priority levels: along a route the priority level may rise by at most d (usually 1) "
    "from one stop to the next; other nodes have the lowest level, below every listed one.",
    parameters=RelaxedParameters,
    check_code=_RELAXED_CHECK,
    penalty_code=_RELAXED_PENALTY,
    values=lambda params: {**_numbered(params.levels), "d": params.d},
    variants=("VRP-dRP",),
)

EARLY_POSITION = ConstraintTemplate(
    key="priority.early_position",
    family="priority",
    description="Relaxed priority: each listed node is among the first few stops (e.g. the first three) of its "
    "route.",
    parameters=EarlyParameters,
    check_code=_EARLY_CHECK,
    penalty_code=_EARLY_PENALTY,
    values=lambda params: {"nodes": params.nodes, "positions": params.positions},
    variants=("VRPRP",),
)

TEMPLATES = (STRICT, FIRST, D_RELAXED, EARLY_POSITION)
