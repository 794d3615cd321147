"""Variable types settled from the unit the model names: counts become INTEGER, measures stay CONTINUOUS."""

import pytest

from corta.agents.modeler.integrality import counts_whole_things, settle_types
from corta.solvers.optmodel.levels import FullModel, Level1, Level2


@pytest.mark.parametrize(
    ("unit", "whole"),
    [
        ("bottle", True),
        ("vans", True),
        ("pairs of shoes", True),
        ("number of trucks", True),
        ("batches", True),
        ("acre", False),
        ("hours", False),
        ("number of hours", False),
        ("cups of flour", False),
        ("kg", False),
        ("$", False),
        ("dollars", False),
        ("fertilizer", False),
        ("units", None),
        ("units of product A", None),
        ("", None),
    ],
)
def test_a_unit_says_whether_the_variable_counts_whole_things(unit: str, whole: bool | None) -> None:
    assert counts_whole_things(unit) is whole


def test_settling_overrides_the_declared_type_only_where_the_unit_is_clear() -> None:
    reply = Level2.model_validate(
        {
            "variables": [
                {"name": "vintage", "unit": "bottle", "type": "CONTINUOUS"},
                {"name": "wheat", "unit": "acre", "type": "INTEGER"},
                {"name": "product", "unit": "unit", "type": "CONTINUOUS"},
                {"name": "open", "unit": "warehouse", "type": "BINARY"},
                {"name": "plain", "type": "INTEGER"},
            ]
        }
    )
    types = {v.name: v.type for v in settle_types(reply).variables}  # type: ignore[attr-defined]
    assert types == {
        "vintage": "INTEGER",
        "wheat": "CONTINUOUS",
        "product": "CONTINUOUS",
        "open": "BINARY",
        "plain": "INTEGER",
    }


def test_whole_models_are_settled_and_data_levels_pass_through() -> None:
    full = FullModel.model_validate(
        {
            "parameters": [],
            "variables": [{"name": "x", "unit": "van"}],
            "objective": {"sense": "min", "function": "x"},
        }
    )
    assert settle_types(full).variables[0].type == "INTEGER"  # type: ignore[attr-defined]
    data = Level1.model_validate({"parameters": [{"name": "a", "data": 3}]})
    assert settle_types(data) is data
