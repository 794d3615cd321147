"""Levels and steps: every hand-written gold model survives IR → levels → IR and reads as three steps."""

import json
from pathlib import Path

import pytest

from corta.solvers.optmodel.levels import FullModel, from_ir, to_ir
from corta.solvers.optmodel.schema import load_model
from corta.solvers.optmodel.solve import solve
from corta.solvers.optmodel.steps import render_steps

FIXTURES = sorted((Path(__file__).parents[2] / "fixtures" / "models").glob("*.json"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_gold_models_round_trip_through_the_levels(path: Path) -> None:
    gold = json.loads(path.read_text())
    partial = from_ir(gold)
    again = solve(load_model(to_ir(partial)), time_limit_s=30)
    expected = solve(load_model(gold), time_limit_s=30)
    assert again.status == expected.status
    if expected.objective is not None:
        assert again.objective == pytest.approx(expected.objective, rel=1e-9)
    steps = render_steps(partial)
    assert len(steps) == 3
    assert steps[0].startswith("Data.") and steps[1].startswith("Variables.")
    assert steps[2].startswith("Maximize" if partial["objective"]["sense"] == "max" else "Minimize")


def test_partial_models_render_only_their_levels() -> None:
    gold = from_ir(json.loads(FIXTURES[0].read_text()))
    assert len(render_steps({key: gold[key] for key in ("sets", "parameters")})) == 1
    assert len(render_steps({key: gold[key] for key in ("sets", "parameters", "variables")})) == 2


def test_the_one_pass_schema_holds_all_levels() -> None:
    fields = set(FullModel.model_fields)
    assert {"sets", "parameters", "variables", "objective", "constraints"} <= fields
