"""The constraint database: every template by key, by family, and as the catalogue the LLM chooses from."""

from corta.agents.router.constraint_db import (
    capacity,
    distance_limit,
    pickup_delivery,
    priority,
    same_vehicle,
    time_windows,
)
from corta.agents.router.constraint_db.base import ConstraintTemplate

FAMILIES: tuple[str, ...] = (
    "capacity",
    "distance_limit",
    "time_windows",
    "pickup_delivery",
    "same_vehicle",
    "priority",
)
TEMPLATES: dict[str, ConstraintTemplate] = {
    template.key: template
    for module in (capacity, distance_limit, time_windows, pickup_delivery, same_vehicle, priority)
    for template in module.TEMPLATES
}


def templates_for(family: str) -> list[ConstraintTemplate]:
    """The templates of one family, in catalogue order.

    Raises
    ------
    KeyError
        When `family` is not one of `FAMILIES`; the message lists them.
    """
    if family not in FAMILIES:
        raise KeyError(f"Unknown constraint family {family!r}; known: {', '.join(FAMILIES)}.")
    return [template for template in TEMPLATES.values() if template.family == family]


def describe_all() -> str:
    """The catalogue: one line per template (key, the variants it models, what it means, its parameters)."""
    lines = []
    for family in FAMILIES:
        lines.append(f"{family}:")
        for template in templates_for(family):
            names = ", ".join(template.parameters.model_fields)
            lines.append(
                f"- {template.key} ({', '.join(template.variants)}): {template.description} Parameters: {names}."
            )
    return "\n".join(lines)
