"""Ways to break one level of a correct model, the negatives a process reward model learns from.

Each operator takes a model in the IR's JSON shape and returns every variant it can make, each a deep copy with one
mistake of the kind a compact model makes: a flipped inequality, swapped indices, a wrong number, the wrong sense,
a missing or an extra constraint, the wrong variable type, a dropped non-negativity bound. Whether a variant is
really wrong is the solver's call (`training_data.perturbation_examples`), not the operator's.
"""

import copy
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from corta.solvers.optmodel.levels import LevelName

Model = dict[str, Any]
Operator = Callable[[Model], list[Model]]

_INEQUALITY = re.compile(r"\\leq|\\geq|\\le(?![a-z])|\\ge(?![a-z])|<=|>=|≤|≥")
_FLIPPED = {"\\leq": "\\geq", "\\geq": "\\leq", "\\le": "\\ge", "\\ge": "\\le", "<=": ">=", ">=": "<="}
_FLIPPED |= {"≤": "≥", "≥": "≤"}
_GREATER = ("\\geq", "\\ge", ">=", "≥")
_PAIR_INDEX = re.compile(
    r"(?P<name>[A-Za-z]\w*)(?P<open>_\{|\[)\s*(?P<a>[\w+\-]+)\s*,\s*(?P<b>[\w+\-]+)\s*(?P<close>[}\]])"
)
# A literal coefficient or bound: not part of a name, a subscript, an exponent or a \frac{}{} argument.
_LITERAL = re.compile(r"(?<![\w.{,^\[\-])\d+(?:\.\d+)?(?![\w.}\]])")
_FACTORS = (0.5, 2.0, 10.0)


@dataclass(frozen=True)
class Perturbation:
    """A variant of a model with one mistake, and the first level (L1, L2, L3) whose text it changes."""

    operator: str
    level: LevelName
    model: Model


def _objective(model: Model) -> dict[str, Any]:
    objective = model["objective"]
    return objective[0] if isinstance(objective, list) else objective


def _functions(model: Model) -> list[dict[str, Any]]:
    """The items whose `function` is an expression: the objective, then the constraints."""
    return [_objective(model), *model.get("constraint", [])]


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 6)


def _with_function(model: Model, position: int, function: str) -> Model:
    variant = copy.deepcopy(model)
    _functions(variant)[position]["function"] = function
    return variant


def flip_inequality(model: Model) -> list[Model]:
    """`<=` ↔ `>=` in a constraint with exactly one inequality."""
    variants = []
    for position, item in enumerate(_functions(model)[1:], start=1):
        matches = list(_INEQUALITY.finditer(item["function"]))
        if len(matches) == 1:
            match, text = matches[0], item["function"]
            flipped = text[: match.start()] + _FLIPPED[match.group()] + text[match.end() :]
            variants.append(_with_function(model, position, flipped))
    return variants


def swap_indices(model: Model) -> list[Model]:
    """`x_{i,j}` → `x_{j,i}` at one reference in the objective or a constraint."""
    variants = []
    for position, item in enumerate(_functions(model)):
        text = item["function"]
        for match in _PAIR_INDEX.finditer(text):
            if match["a"] == match["b"] or match["name"] in ("sum", "prod"):
                continue
            swapped = f"{match['name']}{match['open']}{match['b']},{match['a']}{match['close']}"
            variants.append(
                _with_function(model, position, text[: match.start()] + swapped + text[match.end() :])
            )
    return variants


def scale_data(model: Model) -> list[Model]:
    """One number of one parameter's data multiplied by 0.5, 2 or 10 (a misread number)."""
    variants = []
    for index, parameter in enumerate(model.get("parameter", [])):
        for path in _number_paths(parameter["data"]):
            for factor in _FACTORS:
                variant = copy.deepcopy(model)
                _scale_at(variant["parameter"][index], "data", path, factor)
                variants.append(variant)
    return variants


def _number_paths(data: Any, path: tuple[int | str, ...] = ()) -> list[tuple[int | str, ...]]:
    if isinstance(data, bool):
        return []
    if isinstance(data, int | float):
        return [path] if data != 0 else []
    if isinstance(data, list):
        return [found for i, item in enumerate(data) for found in _number_paths(item, (*path, i))]
    if isinstance(data, dict):
        return [found for key, item in data.items() for found in _number_paths(item, (*path, key))]
    return []


def _scale_at(container: Any, key: int | str, path: tuple[int | str, ...], factor: float) -> None:
    for step in path:
        container, key = container[key], step
    container[key] = _number(container[key] * factor)


def scale_coefficient(model: Model) -> list[Model]:
    """One literal number in the objective or a constraint multiplied by 0.5, 2 or 10."""
    variants = []
    for position, item in enumerate(_functions(model)):
        text = item["function"]
        for match in _LITERAL.finditer(text):
            for factor in _FACTORS:
                value = f"{_number(float(match.group()) * factor):g}"
                variants.append(
                    _with_function(model, position, text[: match.start()] + value + text[match.end() :])
                )
    return variants


def flip_sense(model: Model) -> list[Model]:
    """Minimise what should be maximised, or the reverse."""
    variant = copy.deepcopy(model)
    objective = _objective(variant)
    objective["sense"] = "max" if str(objective["sense"]).lower().startswith("min") else "min"
    return [variant]


def drop_constraint(model: Model) -> list[Model]:
    """One constraint left out."""
    variants = []
    for position in range(len(model.get("constraint", []))):
        variant = copy.deepcopy(model)
        del variant["constraint"][position]
        variants.append(variant)
    return variants


def duplicate_constraint(model: Model) -> list[Model]:
    """A second copy of an inequality with its right-hand side tightened by a quarter."""
    variants = []
    for position, item in enumerate(model.get("constraint", [])):
        matches = list(_INEQUALITY.finditer(item["function"]))
        if len(matches) != 1:
            continue
        match, text = matches[0], item["function"]
        right = text[match.end() :].strip()
        if not right or "," in right or "forall" in right:  # a domain written inside the function
            continue
        factor = "1.25" if match.group() in _GREATER else "0.75"
        function = f"{text[: match.end()]} {factor} ({right})"
        variant = copy.deepcopy(model)
        variant["constraint"].insert(
            position + 1, {**item, "name": f"{item.get('name', 'c')}_2", "function": function}
        )
        variants.append(variant)
    return variants


def change_variable_type(model: Model) -> list[Model]:
    """INTEGER ↔ CONTINUOUS, or BINARY → CONTINUOUS in [0, 1] (the relaxation)."""
    variants = []
    for index, variable in enumerate(model["variable"]):
        kind = str(variable.get("type", "CONTINUOUS")).upper()
        changed = {"INTEGER": {"type": "CONTINUOUS"}, "CONTINUOUS": {"type": "INTEGER"}}.get(kind)
        if kind == "BINARY":
            changed = {"type": "CONTINUOUS", "lower": 0.0, "upper": 1.0}
        if changed:
            variant = copy.deepcopy(model)
            variant["variable"][index].update(changed)
            variants.append(variant)
    return variants


def free_variable(model: Model) -> list[Model]:
    """A non-negative variable left free (no lower bound)."""
    variants = []
    for index, variable in enumerate(model["variable"]):
        if variable.get("type", "CONTINUOUS") != "BINARY" and variable.get("lower", 0.0) == 0.0:
            variant = copy.deepcopy(model)
            variant["variable"][index]["lower"] = None
            variants.append(variant)
    return variants


OPERATORS: dict[str, tuple[LevelName, Operator]] = {
    "scale_data": ("L1", scale_data),
    "change_variable_type": ("L2", change_variable_type),
    "free_variable": ("L2", free_variable),
    "flip_inequality": ("L3", flip_inequality),
    "swap_indices": ("L3", swap_indices),
    "scale_coefficient": ("L3", scale_coefficient),
    "flip_sense": ("L3", flip_sense),
    "drop_constraint": ("L3", drop_constraint),
    "duplicate_constraint": ("L3", duplicate_constraint),
}


def perturb(model: Model, rng: random.Random, per_operator: int = 3) -> list[Perturbation]:
    """Up to `per_operator` variants from each operator, sampled with `rng` where an operator has more."""
    perturbations = []
    for name, (level, operator) in OPERATORS.items():
        variants = operator(model)
        chosen = rng.sample(variants, per_operator) if len(variants) > per_operator else variants
        perturbations.extend(Perturbation(name, level, variant) for variant in chosen)
    return perturbations
