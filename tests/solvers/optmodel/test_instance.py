"""Expansion: name resolution, domains, parameter data, and every kind of bad input as a ModelError."""

import pytest

from corta.errors import ModelError
from corta.solvers.optmodel.instance import expand
from corta.solvers.optmodel.schema import load_model


def model(**parts):
    base = {
        "set": [{"name": "I", "data": [1, 2, 3]}, {"name": "J", "data": ["a", "b"]}],
        "parameter": [
            {"name": "c", "domain": "i in I", "data": [4, 5, 6]},
            {"name": "d", "domain": "i in I, j in J", "data": [[1, 2], [3, 4], [5, 6]]},
        ],
        "variable": [{"name": "x", "domain": "i in I, j in J"}, {"name": "y", "domain": "i in I"}],
        "objective": {"sense": "min", "function": "sum_{i in I} c_i y_i"},
        "constraint": [],
    }
    base.update(parts)
    return load_model(base)


def row_terms(expanded, row):
    return {expanded.variables[m[0]].label: coef for m, coef in row.poly.items() if m}


def test_subscripts_without_separators_resolve_against_bound_indices():
    expanded = expand(
        model(constraint=[{"name": "link", "function": "sum_{j in J} d_{ij} x_{ij} <= y_i, forall i in I"}])
    )
    assert [row.label for row in expanded.rows] == ["link[1]", "link[2]", "link[3]"]
    assert row_terms(expanded, expanded.rows[1]) == {"x[2,a]": 3.0, "x[2,b]": 4.0, "y[2]": -1.0}


def test_literal_elements_and_bracket_indexing():
    expanded = expand(model(constraint=[{"name": "one", "function": "x[2][b] + x_{3,a} + y_1 >= 1"}]))
    assert row_terms(expanded, expanded.rows[0]) == {"x[2,b]": 1.0, "x[3,a]": 1.0, "y[1]": 1.0}


def test_bound_names_inside_tuple_patterns_filter():
    expanded = expand(
        model(
            set=[
                {"name": "I", "data": [1, 2, 3]},
                {"name": "J", "data": ["a", "b"]},
                {"name": "E", "data": [[1, 2], [1, 3], [2, 3]]},
            ],
            constraint=[{"name": "out", "domain": "i in I", "function": "sum_{(i,k) in E} y_k <= 1"}],
        )
    )
    assert [row_terms(expanded, row) for row in expanded.rows] == [{"y[2]": 1.0, "y[3]": 1.0}, {"y[3]": 1.0}]


def test_conditions_index_arithmetic_and_ranges():
    expanded = expand(
        model(
            constraint=[
                {"name": "step", "domain": "i in I, i >= 2", "function": "y_i - y_{i-1} <= 1"},
                {"name": "pairs", "function": "sum_{i in I} sum_{k in I: k > i} y_k <= 9"},
                {"name": "first", "function": "sum_{i=1}^{2} y_i >= 1"},
            ]
        )
    )
    labels = [row.label for row in expanded.rows]
    assert labels == ["step[2]", "step[3]", "pairs", "first"]
    assert row_terms(expanded, expanded.rows[2]) == {"y[2]": 1.0, "y[3]": 2.0}


def test_sparse_object_data_defaults_to_zero():
    parameters = [{"name": "c", "domain": "i in I", "data": {"2": 7}}]
    expanded = expand(
        model(parameter=parameters, objective={"sense": "min", "function": "sum_{i in I} c_i y_i + y_1"})
    )
    assert {expanded.variables[m[0]].label: v for m, v in expanded.objective.items()} == {
        "y[1]": 1.0,
        "y[2]": 7.0,
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"objective": {"sense": "min", "function": "sum_{i in I} q_i y_i"}}, "unknown name 'q_i'"),
        ({"objective": {"sense": "min", "function": "y_4"}}, "outside the domain"),
        ({"objective": {"sense": "min", "function": "z + y_1"}}, "unknown name 'z'"),
        ({"objective": {"sense": "min", "function": "sum_{i in I} c_i"}}, "contains no decision variable"),
        ({"objective": {"sense": "min", "function": "sum_{i in K} y_i"}}, "unknown set 'K'"),
        ({"objective": {"sense": "min", "function": "x_{1}"}}, "x takes 2 indices, got 1"),
        (
            {"parameter": [{"name": "c", "domain": "i in I", "data": [1, 2]}]},
            "dimension mismatch: the parameter c has 2 values",
        ),
        ({"parameter": [{"name": "c", "domain": "i in I", "data": {"9": 1}}]}, "not in its domain"),
        (
            {"constraint": [{"name": "r", "function": "y_1 / y_2 <= 1"}]},
            "division by an expression with variables",
        ),
        ({"constraint": [{"name": "r", "function": "y_1 != 2"}]}, "cannot use !="),
        (
            {"variable": [{"name": "y", "domain": "i in I", "lower": 5, "upper": 1}]},
            "lower bound 5 is above the upper bound 1",
        ),
        ({"set": [{"name": "I", "data": [1]}, {"name": "I", "data": [2]}]}, "declared twice"),
    ],
)
def test_bad_models_are_one_model_error_naming_the_item(change, message):
    with pytest.raises(ModelError, match=message) as caught:
        expand(model(**change))
    assert caught.value.item is not None or "declared twice" in message
    assert "Traceback" not in str(caught.value)


def test_the_error_names_the_item_and_quotes_its_text():
    with pytest.raises(ModelError) as caught:
        expand(model(constraint=[{"name": "budget", "function": "sum_{i in I} w_i y_i <= 10"}]))
    assert caught.value.item == "budget"
    assert str(caught.value) == "In the constraint budget ('sum_{i in I} w_i y_i <= 10'): unknown name 'w_i'."
