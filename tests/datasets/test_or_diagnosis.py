"""A wrong value is put down to the variable types or the objective's sense only when re-solving proves it."""

import json

import pytest

from corta.datasets.or_diagnosis import diagnose_wrong_value
from corta.solvers.optmodel.levels import to_ir
from tests.agents.modeler.scripted import BEST, L1, L2, NO_MARKET, RIGHT, WRONG_SENSE


def is_best(objective: float) -> bool:
    return abs(objective - BEST) <= 1e-6


def ir(l3: dict, variable_type: str = "INTEGER") -> dict:
    variables = [{**variable, "type": variable_type} for variable in L2["variables"]]
    return json.loads(json.dumps(to_ir({**L1, "variables": variables, **l3})))


@pytest.mark.parametrize(
    ("model", "diagnosis"),
    [
        (ir(RIGHT, "CONTINUOUS"), "variable types"),  # 122.5: 12.5 cakes
        (ir(WRONG_SENSE), "objective sense"),  # 0: nothing baked
        (ir(NO_MARKET), "meaning"),  # 160: the "at most 15 pies" rule dropped
    ],
)
def test_the_one_change_that_reaches_the_gold_optimum_is_named(model: dict, diagnosis: str) -> None:
    assert diagnose_wrong_value(model, is_best) == diagnosis


def test_a_model_that_does_not_compile_is_a_wrong_meaning() -> None:
    broken = ir(RIGHT)
    broken["constraint"][0]["function"] = "oven_cake * cakes + unknown_thing <= oven_hours"
    assert diagnose_wrong_value(broken, is_best) == "meaning"
