"""Deterministic checks: numbers from the text, the goal's sense, whether the text is a problem at all, compiling."""

from corta.solvers.optmodel.checks import (
    check_factor,
    check_partial,
    compile_findings,
    expected_sense,
    looks_like_optimization,
    numbers_in,
    unused_data_finding,
)
from tests.agents.modeler.scripted import L1, L2, NO_MARKET, QUESTION, RIGHT


def test_numbers_are_read_with_separators_percentages_and_words() -> None:
    found = numbers_in("Up to 1,200 units, 15% of them premium, twice a day, costs $3.50.")
    assert {1200.0, 15.0, 0.15, 2.0, 3.5} <= found


def test_sense_follows_the_goal_not_the_limits() -> None:
    assert expected_sense("Maximize profit; at least 10 acres of corn.") == "max"
    assert expected_sense("Find the plan of least cost, with at most 5 trucks.") == "min"
    assert expected_sense("Minimize waste and maximize output.") is None


def test_a_text_without_data_or_goal_is_not_a_problem() -> None:
    assert looks_like_optimization(QUESTION) is None
    missing = looks_like_optimization("Tell me a joke about cats.")
    assert missing is not None and "numbers" in missing and "maximised" in missing


def test_a_correct_model_has_no_findings() -> None:
    assert check_partial(QUESTION, {**L1, **L2, **RIGHT}) == []


def test_each_defect_is_named() -> None:
    invented = {"sets": [], "parameters": [{"name": "budget", "data": 999}]}
    assert check_partial(QUESTION, invented) == [
        "parameter budget holds 999, which the problem does not state"
    ]
    crossed = {"variables": [{"name": "x", "lower": 5, "upper": 2}]}
    assert "lower bound 5 above its upper bound 2" in check_partial(QUESTION, crossed)[0]
    wrong_sense = {**L1, **L2, **RIGHT, "objective": {"sense": "min", "function": "cakes"}}
    assert any("asks to maximize" in finding for finding in check_partial(QUESTION, wrong_sense))
    unknown = {**L1, **L2, **RIGHT, "objective": {"sense": "max", "function": "5 * tarts"}}
    assert any("tarts" in finding for finding in check_partial(QUESTION, unknown))


def test_data_no_expression_uses_is_named_however_it_is_referred_to() -> None:
    assert check_partial(QUESTION, {**L1, **L2, **NO_MARKET})[-1] == unused_data_finding(["max_pies"])
    indexed = {
        "sets": [{"name": "I", "description": "", "elements": [1, 2]}],
        "parameters": [
            {"name": "c", "domain": "i in I", "data": [3, 4]},
            {"name": "T", "data": 2},
            {"name": "cap", "data": 10},
            {"name": "spare", "data": 7},
            {"name": "extra", "data": 8},
            {"name": "more", "data": 9},
        ],
        "variables": [{"name": "x", "domain": "i in I"}],
        "objective": {"sense": "max", "function": "sum_{i in I} c_i x_i"},
        "constraints": [{"name": "cap", "function": "sum_{t=1}^{T} x_t <= cap"}],
    }
    # c read through a subscript, T as a range's bound, cap beside a constraint of the same name: all used
    (finding,) = compile_findings(indexed)
    assert finding == "the data spare, extra, more are never used: a rule or a cost that needs it is missing"
    assert unused_data_finding(["a", "b", "c", "d"]).startswith("the data a, b, c and 1 more are never used")


def test_each_finding_halves_the_score() -> None:
    assert check_factor([]) == 1.0
    assert check_factor(["a", "b"]) == 0.25
