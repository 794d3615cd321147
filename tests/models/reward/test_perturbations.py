"""Each perturbation operator makes the one mistake it names, on a copy, and `perturb` samples a few of each."""

import copy
import json
import random
from pathlib import Path

import pytest

from corta.models.reward.perturbations import (
    OPERATORS,
    change_variable_type,
    drop_constraint,
    duplicate_constraint,
    flip_inequality,
    flip_sense,
    free_variable,
    perturb,
    scale_coefficient,
    scale_data,
    swap_indices,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "models"


@pytest.fixture
def aircraft() -> dict:
    return json.loads((FIXTURES / "complexor_aircraft_assignment.json").read_text())


def functions(model: dict) -> list[str]:
    return [model["objective"][0]["function"], *(c["function"] for c in model["constraint"])]


def test_flip_inequality_turns_one_comparison_around(aircraft):
    variants = flip_inequality(aircraft)
    assert [v["constraint"][0]["function"] for v in variants] == [
        "\\sum_{r \\in R} x_{a,r} \\geq avail_a",
        aircraft["constraint"][0]["function"],
    ]
    assert variants[1]["constraint"][1]["function"].endswith("\\leq dem_r")


def test_swap_indices_swaps_one_pair_reference(aircraft):
    variants = swap_indices(aircraft)
    assert variants
    for variant in variants:
        changed = [
            new for new, old in zip(functions(variant), functions(aircraft), strict=True) if new != old
        ]
        assert len(changed) == 1
        assert "_{r,a}" in changed[0]


def test_scale_data_changes_exactly_one_number(aircraft):
    variants = scale_data(aircraft)
    assert len(variants) == 3 * (3 + 2 + 6 + 6)  # three factors for every non-zero number
    variant = variants[0]
    assert variant["parameter"][0]["data"] == [1, 3, 1]
    assert variant["parameter"][1:] == aircraft["parameter"][1:]


def test_scale_coefficient_leaves_subscripts_and_fractions_alone():
    model = {
        "objective": {"sense": "min", "function": "50 x + \\frac{1}{3} y_{1} + s_{t-1} + z^2"},
        "constraint": [{"name": "c", "function": "x_1 + 2 y <= 1000"}],
    }
    texts = sorted(functions_of(v) for v in scale_coefficient(model))
    assert "25 x + \\frac{1}{3} y_{1} + s_{t-1} + z^2 | x_1 + 2 y <= 1000" in texts
    assert "50 x + \\frac{1}{3} y_{1} + s_{t-1} + z^2 | x_1 + 4 y <= 1000" in texts
    assert "50 x + \\frac{1}{3} y_{1} + s_{t-1} + z^2 | x_1 + 2 y <= 10000" in texts
    assert len(texts) == 3 * 3


def functions_of(model: dict) -> str:
    return f"{model['objective']['function']} | {model['constraint'][0]['function']}"


def test_flip_sense_drop_and_duplicate(aircraft):
    assert flip_sense(aircraft)[0]["objective"][0]["sense"] == "max"
    assert [[c["name"] for c in v["constraint"]] for v in drop_constraint(aircraft)] == [
        ["demand"],
        ["availability"],
    ]
    duplicated = duplicate_constraint(aircraft)[0]["constraint"]
    assert [c["name"] for c in duplicated] == ["availability", "availability_2", "demand"]
    assert duplicated[1]["function"] == "\\sum_{r \\in R} x_{a,r} \\leq 0.75 (avail_a)"
    assert duplicated[1]["domain"] == "a in A"
    assert duplicate_constraint(aircraft)[1]["constraint"][2]["function"].endswith("\\geq 1.25 (dem_r)")


def test_variable_type_and_bound_changes(aircraft):
    assert change_variable_type(aircraft)[0]["variable"][0]["type"] == "CONTINUOUS"
    binary = {"variable": [{"name": "y", "type": "BINARY"}]}
    assert change_variable_type(binary)[0]["variable"][0] == {
        "name": "y",
        "type": "CONTINUOUS",
        "lower": 0.0,
        "upper": 1.0,
    }
    assert free_variable(aircraft)[0]["variable"][0]["lower"] is None
    assert free_variable(binary) == []


def test_perturb_samples_at_most_per_operator_and_never_changes_its_input(aircraft):
    original = copy.deepcopy(aircraft)
    perturbations = perturb(aircraft, random.Random(0), per_operator=2)
    assert aircraft == original
    counts = {name: sum(p.operator == name for p in perturbations) for name in OPERATORS}
    assert counts["scale_coefficient"] == 0  # the aircraft model has no literal numbers in its functions
    assert all(1 <= count <= 2 for name, count in counts.items() if name != "scale_coefficient"), counts
    assert {p.level for p in perturbations if p.operator == "scale_data"} == {"L1"}
    assert perturbations == perturb(aircraft, random.Random(0), per_operator=2)
