"""Why a solved model missed the gold optimum, where one deterministic probe can tell.

A wrong value is a model that solves but means something else. Two slips are cheap to recognise by re-solving the
model with one thing changed: the variable types (counts left continuous, or measures made integer) and the
objective's sense. Anything else is a wrong meaning: a dropped or misread rule, wrong data.
"""

from collections.abc import Callable
from typing import Any, Literal

from corta.errors import ModelError
from corta.solvers.optmodel.schema import load_model
from corta.solvers.optmodel.solve import solve

Diagnosis = Literal["variable types", "objective sense", "meaning"]


def diagnose_wrong_value(
    model: dict[str, Any], is_gold: Callable[[float], bool], time_limit_s: float = 10.0
) -> Diagnosis:
    """The one change to the IR `model` whose optimum `is_gold` accepts (the evaluation's own scoring), else
    "meaning"."""
    variables = model["variable"]
    integral = any(variable.get("type", "CONTINUOUS") != "CONTINUOUS" for variable in variables)
    retyped = [{**variable, "type": "CONTINUOUS" if integral else "INTEGER"} for variable in variables]
    flipped = {**model["objective"], "sense": "min" if model["objective"]["sense"] == "max" else "max"}
    probes: list[tuple[Diagnosis, dict[str, Any]]] = [
        ("variable types", {**model, "variable": retyped}),
        ("objective sense", {**model, "objective": flipped}),
    ]
    for diagnosis, probe in probes:
        if _reaches(probe, is_gold, time_limit_s):
            return diagnosis
    return "meaning"


def _reaches(model: dict[str, Any], is_gold: Callable[[float], bool], time_limit_s: float) -> bool:
    try:
        result = solve(load_model(model), time_limit_s=time_limit_s)
    except ModelError:
        return False
    if result.status != "optimal" or result.objective is None:
        return False
    return is_gold(result.objective)
