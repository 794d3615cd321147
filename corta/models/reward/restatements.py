"""Ways to restate one level of a correct model without changing its meaning, the extra positives a PRM learns from.

A scorer trained on gold prefixes and their perturbations alone sees one correct text per problem and level, so it
can learn "the gold's surface is right" instead of "this step means the right thing". Each operator returns variants
that say the same thing differently: the parameters, variables or constraints in another order, or a constraint
written with its sides swapped (`a <= b` as `b >= a`, which also keeps the direction of an inequality from being a
clue on its own). Whether a variant really means the same is the solver's call (`training_data.restated_examples`).
"""

import copy
import random
from dataclasses import dataclass
from typing import Any

from corta.models.reward.perturbations import FLIPPED, INEQUALITY
from corta.solvers.optmodel.levels import LevelName

Model = dict[str, Any]


@dataclass(frozen=True)
class Restatement:
    """A variant of a model that should mean the same, and the first level (L1, L2, L3) whose text it changes."""

    operator: str
    level: LevelName
    model: Model


def _reordered(model: Model, key: str, rng: random.Random) -> Model | None:
    """`model` with the items under `key` in another order, or None when there is no other order."""
    items = model.get(key) or []
    if len(items) < 2:
        return None
    order = list(range(len(items)))
    while order == sorted(order):
        rng.shuffle(order)
    variant = copy.deepcopy(model)
    variant[key] = [copy.deepcopy(items[i]) for i in order]
    return variant


def swap_sides(model: Model) -> list[Model]:
    """`left <= right` written as `right >= left`, in each constraint with exactly one inequality."""
    variants = []
    for index, item in enumerate(model.get("constraint", [])):
        text = item["function"]
        matches = list(INEQUALITY.finditer(text))
        if len(matches) != 1:
            continue
        match = matches[0]
        left, right = text[: match.start()].strip(), text[match.end() :].strip()
        if left and right:
            variant = copy.deepcopy(model)
            variant["constraint"][index]["function"] = f"{right} {FLIPPED[match.group()]} {left}"
            variants.append(variant)
    return variants


def restate(model: Model, rng: random.Random, per_operator: int = 3) -> list[Restatement]:
    """Up to `per_operator` restatements from each operator, sampled with `rng` where an operator has more."""
    restatements = []
    for operator, level, key in (
        ("reorder_parameters", "L1", "parameter"),
        ("reorder_variables", "L2", "variable"),
        ("reorder_constraints", "L3", "constraint"),
    ):
        variants = [variant for _ in range(per_operator) if (variant := _reordered(model, key, rng))]
        restatements.extend(Restatement(operator, level, variant) for variant in variants)
    swapped = swap_sides(model)
    chosen = rng.sample(swapped, per_operator) if len(swapped) > per_operator else swapped
    restatements.extend(Restatement("swap_sides", "L3", variant) for variant in chosen)
    return restatements
