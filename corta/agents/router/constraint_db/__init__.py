"""The router's constraint database: templates the LLM chooses and fills, which become checker and penalty code.

Six families (RoutBench's): capacity, distance_limit, time_windows, pickup_delivery, same_vehicle, priority; each
template has a plain-words description, a pydantic model of its parameters and fixed code with the parameters
written in as literals.
"""

from corta.agents.router.constraint_db.base import ConstraintTemplate, Parameters
from corta.agents.router.constraint_db.compose import compose
from corta.agents.router.constraint_db.registry import FAMILIES, TEMPLATES, describe_all, templates_for

__all__ = [
    "FAMILIES",
    "TEMPLATES",
    "ConstraintTemplate",
    "Parameters",
    "compose",
    "describe_all",
    "templates_for",
]
