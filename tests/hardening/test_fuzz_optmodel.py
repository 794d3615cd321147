"""Fuzzing the optimization model's parsers: the function and domain grammar, the IR loader and the expansion; only
`ModelError` may escape, whatever the text or the JSON."""

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from corta.errors import ModelError
from corta.solvers.optmodel.expressions import parse_constraint, parse_domain, parse_expression
from corta.solvers.optmodel.instance import expand
from corta.solvers.optmodel.schema import MAX_SET_COUNT, load_model
from tests.hardening.fuzzing import edited, fuzz_settings, json_values, mutated, only, scalars, spliced

TARGET = "optmodel"
FIXTURES = sorted((Path(__file__).parents[1] / "fixtures" / "models").glob("*.json"))
MODELS: list[dict[str, Any]] = [json.loads(path.read_text(encoding="utf-8")) for path in FIXTURES]
TOKENS = [
    "x", "y", "x_i", "x_{i,j}", "x[i][j]", "x_ij", "c_i", "s_{t-1}", "i", "j", "k", "t", "I", "J", "P", "T", "N",
    "0", "1", "2.5", ".5", "1e3", "1e999", "+", "-", "*", "/", "^", "**", "(", ")", "{", "}", "[", "]", ",", ":",
    "|", "_", "=", "==", "!=", "<", ">", "<=", ">=", "sum", "sum_{", r"\sum_{", "∑", "in", r"\in", "∈", "forall",
    r"\forall", "∀", "for all", "for each", r"\frac", "frac{", r"\leq", r"\geq", "≤", "≥", r"\cdot", "·", r"\left(",
    r"\right)", r"\text{", "$", "^{T}", "−",
]  # fmt: skip
FUNCTION_TEXT = spliced(TOKENS) | st.text(max_size=40)
FUNCTIONS = [
    item["function"]
    for model in MODELS
    for section in ("objective", "constraint")
    for item in model.get(section, [])
    if isinstance(item.get("function"), str)
]


NAMES = st.sampled_from(["I", "J", "P", "x", "y", "c", "a_1", ""])
SMALL = st.sampled_from(["i in I", "j in J", "i in I, j in J", "(i,k) in P", "", "t in T"]) | FUNCTION_TEXT
DATA = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4), max_leaves=8)
MODEL_SHAPED = st.fixed_dictionaries(
    {
        "set": st.lists(st.fixed_dictionaries({"name": NAMES, "data": DATA}), max_size=3),
        "parameter": st.lists(
            st.fixed_dictionaries({"name": NAMES, "domain": SMALL, "data": DATA}), max_size=3
        ),
        "variable": st.lists(
            st.fixed_dictionaries(
                {"name": NAMES, "domain": SMALL, "type": scalars, "lower": scalars, "upper": scalars}
            ),
            max_size=3,
        ),
        "objective": st.fixed_dictionaries(
            {"sense": st.sampled_from(["min", "max"]) | scalars, "function": SMALL}
        ),
        "constraint": st.lists(
            st.fixed_dictionaries({"name": NAMES, "function": SMALL, "domain": SMALL}), max_size=3
        ),
    }
)
"""Documents shaped like a model, with any names, data and texts."""


def _edited_function(draw: st.DrawFn) -> str:
    return draw(edited(draw(st.sampled_from(FUNCTIONS)), st.sampled_from(TOKENS)))


@fuzz_settings()
@given(text=FUNCTION_TEXT)
def test_an_expression_parses_or_is_a_model_error(text: str):
    with only(TARGET, ModelError):
        parse_expression(text)
    with only(TARGET, ModelError):
        parse_domain(text)


@fuzz_settings()
@given(data=st.data())
def test_a_constraint_parses_or_is_a_model_error(data: st.DataObject):
    text = data.draw(FUNCTION_TEXT | st.composite(_edited_function)())
    with only(TARGET, ModelError):
        parse_constraint(text)


@fuzz_settings(share=0.5)
@given(data=json_values)
def test_any_json_loads_or_is_a_model_error(data: Any):
    with only(TARGET, ModelError):
        load_model(data)


@fuzz_settings()
@given(data=MODEL_SHAPED)
def test_a_model_shaped_document_expands_or_is_a_model_error(data: Any):
    with only(TARGET, ModelError):
        expand(load_model(data))


@fuzz_settings()
@given(data=st.sampled_from(MODELS).flatmap(mutated))
def test_a_mutated_model_loads_and_expands_or_is_a_model_error(data: Any):
    with only(TARGET, ModelError):
        expand(load_model(data))


@fuzz_settings()
@given(data=st.data())
def test_a_model_with_edited_functions_expands_or_is_a_model_error(data: st.DataObject):
    model = data.draw(st.sampled_from(MODELS))
    section = data.draw(st.sampled_from(["objective", "constraint"]))
    items = list(model.get(section, []))
    if items:
        position = data.draw(st.integers(0, len(items) - 1))
        items[position] = {**items[position], "function": _edited_function(data.draw)}
    with only(TARGET, ModelError):
        expand(load_model({**model, section: items}))


@fuzz_settings(share=0.1)
@example(count=10**400)  # found: tuple(range(...)) raised OverflowError
@example(count=10**9)  # found: the process ran out of memory
@given(count=st.integers(MAX_SET_COUNT + 1))
def test_a_set_counted_beyond_the_limit_is_a_model_error(count: int):
    model = {
        "set": [{"name": "I", "data": count}],
        "variable": [{"name": "x"}],
        "objective": {"sense": "min", "function": "x"},
    }
    with pytest.raises(ModelError, match="too many elements"):
        load_model(model)
