"""The IR schema: tolerant loading of real-world spellings, strict validation with readable errors."""

import pytest

from corta.errors import ModelError
from corta.solvers.optmodel.schema import load_model


def test_structured_or_spellings_load():
    model = load_model(
        {
            "Question": "How many?",
            "Answer": 12,
            "model": {
                "Set": {"Name": "I", "Description": None, "Data": [1, 2.0, 3]},
                "Parameters": [{"name": "c", "domain": "i in I", "data": [1, 2, 3]}],
                "Variables": [{"name": "x", "domain": "i in I", "Type": "Integer", "bounds": [0, 5]}],
                "Objective": [{"sense": "Maximize", "function": "sum_{i in I} c_i x_i"}],
                "Constraints": {"name": "cap", "function": "sum_{i in I} x_i <= 4"},
            },
        }
    )
    assert model.question == "How many?" and model.answer == 12.0
    assert model.sets[0].data == (1, 2, 3)
    assert (model.variables[0].type, model.variables[0].upper) == ("INTEGER", 5.0)
    assert model.objective.sense == "max" and len(model.constraints) == 1


def test_flat_models_need_no_sets_and_free_variables_survive_a_roundtrip():
    model = load_model(
        {"variable": [{"name": "x", "lower": None}], "objective": {"sense": "min", "function": "x"}}
    )
    assert model.variables[0].lower is None
    assert load_model(model.to_json()).variables[0].lower is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"variable": [{"name": "x", "type": "complex"}], "objective": {"sense": "min", "function": "x"}},
            r"variable 1 \(x\): type",
        ),
        (
            {"variable": [{"name": "x"}], "objective": {"sense": "sideways", "function": "x"}},
            "sense must be min or max",
        ),
        ({"variable": [{"name": "x"}], "objective": {"sense": "min", "function": ""}}, "objective"),
        ({"variable": [{"name": "x"}]}, "objective"),
        (
            {
                "set": [{"name": "I", "data": [1, 1]}],
                "variable": [{"name": "x"}],
                "objective": {"sense": "min", "function": "x"},
            },
            "distinct",
        ),
    ],
)
def test_invalid_models_are_one_sentence(data, message):
    with pytest.raises(ModelError, match=message):
        load_model(data)
