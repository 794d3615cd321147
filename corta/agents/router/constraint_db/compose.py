"""Several filled templates as one constraint program: a checker that all must pass and a penalty that adds up."""

from collections.abc import Mapping, Sequence
from typing import Any

from corta.agents.router.constraint_db.base import ConstraintTemplate, Parameters

Instance = tuple[ConstraintTemplate, Parameters | Mapping[str, Any]]


def compose(instances: Sequence[Instance]) -> tuple[str, str]:
    """The sources of `check_constraints(state)` (True when every template's checker passes) and
    `penalty(state)` (the sum of their penalties, so 0 exactly when all pass).

    The templates' functions are renamed `c1_check_constraints`, `c1_penalty`, `c2_…` so that one file holds
    them all, the same template twice included.

    Raises
    ------
    ValueError
        When there is nothing to compose.
    pydantic.ValidationError
        When a template's parameters do not fit its model.
    """
    if not instances:
        raise ValueError("No constraint templates to compose.")
    checks, penalties = [], []
    for number, (template, params) in enumerate(instances, start=1):
        check, penalty = template.render(params, prefix=f"c{number}_")
        checks.append(f"# c{number}: {template.key}{check}")
        penalties.append(f"# c{number}: {template.key}{penalty}")
    numbers = range(1, len(instances) + 1)
    all_pass = " and ".join(f"c{number}_check_constraints(state)" for number in numbers)
    added = " + ".join(f"c{number}_penalty(state)" for number in numbers)
    return (
        "\n\n".join(checks) + f"\n\ndef check_constraints(state):\n    return {all_pass}\n",
        "\n\n".join(penalties) + f"\n\ndef penalty(state):\n    return {added}\n",
    )
