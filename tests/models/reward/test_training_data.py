"""Labelled prefixes: gold prefixes correct, perturbed ones wrong only when HiGHS says the outcome changes."""

import json
import shutil
from pathlib import Path

import pytest

from corta.errors import DatasetError
from corta.models.reward.training_data import (
    GoldModel,
    benchmark_id,
    build_examples,
    gold_examples,
    load_gold_models,
    perturbation_examples,
    split_by_problem,
)
from corta.solvers.optmodel.schema import load_model
from corta.solvers.optmodel.solve import solve

FIXTURES = Path(__file__).parents[2] / "fixtures" / "models"
DATA = Path(__file__).parents[4] / "shared" / "data" / "or"

# max x + y with x <= 5 binding, x <= 100 slack, y <= 2 binding: optimum 7.
SMALL = {
    "id": "test/small",
    "question": "Choose x and y to maximise x + y, with x at most 5 and y at most 2.",
    "parameter": [{"name": "cap", "data": 5}],
    "variable": [{"name": "x"}, {"name": "y", "type": "INTEGER"}],
    "objective": [{"sense": "max", "function": "x + y"}],
    "constraint": [
        {"name": "binding", "function": "x <= cap"},
        {"name": "slack", "function": "x <= 100"},
        {"name": "ybound", "function": "y <= 2"},
    ],
}


def small() -> GoldModel:
    return GoldModel(SMALL["id"], SMALL["question"], SMALL)


def test_gold_prefixes_are_correct():
    examples = gold_examples(small())
    assert [len(e.steps) for e in examples] == [1, 2, 3]
    assert {e.label for e in examples} == {1.0}
    assert all(e.wrong_from is None and e.judges_newest_step for e in examples)
    assert examples[0].steps[0].startswith("Data.") and "Maximize x + y" in examples[2].steps[2]


def test_only_perturbations_that_change_the_solve_are_kept():
    examples = perturbation_examples(small(), per_operator=10)
    assert examples and {e.label for e in examples} == {0.0}
    formulations = {e.origin: [] for e in examples}
    for e in examples:
        formulations[e.origin].append(e.steps[-1])
    # Dropping the slack constraint changes nothing; dropping either binding one makes the optimum larger.
    dropped = formulations["drop_constraint"]
    assert len(dropped) == 2 and all("slack: x <= 100" in text for text in dropped)
    # y is integral at the optimum anyway, so making it continuous is harmless and never labelled wrong.
    assert all("y: continuous" not in e.steps[1] for e in examples if len(e.steps) >= 2)
    # A wrong number in the data makes its own prefix (L1) and every longer one wrong.
    data_errors = [e for e in examples if e.origin == "scale_data"]
    assert sorted(len(e.steps) for e in data_errors) == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert {e.wrong_from for e in data_errors} == {0}
    assert [e.judges_newest_step for e in data_errors if len(e.steps) > 1] == [False] * 6
    assert all(e.wrong_from == 2 and e.judges_newest_step for e in examples if e.origin == "flip_inequality")


def test_every_kept_perturbation_of_a_fixture_changes_its_outcome():
    gold = json.loads((FIXTURES / "complexor_aircraft_assignment.json").read_text())
    examples = perturbation_examples(GoldModel(gold["id"], "question", gold), per_operator=2)
    assert len({e.origin for e in examples}) >= 5
    flipped = [e for e in examples if e.origin == "flip_sense"]
    assert flipped and "Maximize" in flipped[0].steps[-1]
    reference = solve(load_model(gold), 5).objective
    assert reference == pytest.approx(700.0)


def test_build_examples_keeps_each_prefix_once():
    examples = build_examples([small(), small()], per_operator=2)
    keys = [(e.question, e.steps) for e in examples]
    assert len(keys) == len(set(keys))
    assert sum(e.label for e in examples) == 3


def test_split_by_problem_is_seeded_and_disjoint():
    ids = [f"p{i}" for i in range(40)]
    train, held_out = split_by_problem(ids, 0.25, seed=3)
    assert len(held_out) == 10 and not set(train) & set(held_out) and set(train) | set(held_out) == set(ids)
    assert split_by_problem(reversed(ids), 0.25, seed=3) == (train, held_out)
    assert split_by_problem(ids, 0.25, seed=4) != (train, held_out)


def test_benchmark_ids_follow_the_loaders_naming():
    assert benchmark_id("mamo_easy/300") == "mamo_easy/original/301"
    assert benchmark_id("nl4opt/llmopt_test/115") == "nl4opt/llmopt/115"
    assert benchmark_id("logior/prob_001") == "logior/problems/prob_001"
    with pytest.raises(DatasetError, match="no known benchmark"):
        benchmark_id("special/infeasible_lp_capacity")


def test_models_with_their_own_question_need_no_benchmark_data(tmp_path):
    for name in ("special_infeasible_lp_capacity.json", "special_unbounded_lp_no_capacity.json"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    golds = load_gold_models(tmp_path, tmp_path / "no-data")
    assert [g.id for g in golds] == ["special/infeasible_lp_capacity", "special/unbounded_lp_no_capacity"]
    assert all(g.question for g in golds)
    with pytest.raises(DatasetError, match="No gold models"):
        load_gold_models(tmp_path / "empty", tmp_path)


@pytest.mark.skipif(not DATA.is_dir(), reason="benchmark data not at ../shared/data/or")
def test_every_fixture_finds_its_question():
    golds = load_gold_models(FIXTURES, DATA)
    assert len(golds) >= 40
    by_id = {g.id: g.question for g in golds}
    assert "Aircraft Assignment" in by_id["complexor/prob_000_aircraft_assignment"]
    assert "Mrs. Watson" in by_id["nl4opt/llmopt_test/115"]
