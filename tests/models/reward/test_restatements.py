"""Each restatement says the same model in other words, on a copy, and `restate` samples a few of each."""

import copy
import json
import random
from pathlib import Path

import pytest

from corta.models.reward.restatements import restate, swap_sides

FIXTURES = Path(__file__).parents[2] / "fixtures" / "models"


@pytest.fixture
def aircraft() -> dict:
    return json.loads((FIXTURES / "complexor_aircraft_assignment.json").read_text())


def test_swap_sides_writes_each_comparison_the_other_way_round(aircraft):
    variants = swap_sides(aircraft)
    assert variants[0]["constraint"][0]["function"] == "avail_a \\geq \\sum_{r \\in R} x_{a,r}"
    assert len(variants) == len(aircraft["constraint"])
    # Each variant swaps one constraint and keeps the others as they were.
    assert variants[0]["constraint"][1] == aircraft["constraint"][1]
    assert variants[1]["constraint"][0] == aircraft["constraint"][0]


def test_swap_sides_leaves_equations_and_one_sided_text_alone():
    model = {"constraint": [{"function": "x + y = 3"}, {"function": "<= 4"}, {"function": "0 <= x <= 4"}]}
    assert swap_sides(model) == []


def test_restate_reorders_without_losing_or_changing_an_item(aircraft):
    original = copy.deepcopy(aircraft)
    restatements = restate(aircraft, random.Random(0), per_operator=2)
    assert aircraft == original
    by_operator = {r.operator: r for r in restatements}
    # One variable: it has no other order.
    assert {r.operator: r.level for r in restatements} == {
        "reorder_parameters": "L1", "reorder_constraints": "L3", "swap_sides": "L3"
    }  # fmt: skip
    assert sum(r.operator == "swap_sides" for r in restatements) == 2
    for operator, key in (("reorder_parameters", "parameter"), ("reorder_constraints", "constraint")):
        variant = by_operator[operator].model[key]
        assert variant != aircraft[key] and sorted(map(json.dumps, variant)) == sorted(
            map(json.dumps, aircraft[key])
        )


def test_a_single_item_has_no_other_order():
    model = {"parameter": [{"name": "p", "data": 1}], "variable": [{"name": "x"}], "constraint": []}
    assert restate(model, random.Random(0)) == []
