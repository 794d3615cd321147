"""A name declared twice gets one meaning, so the model compiles instead of being thrown away."""

from typing import Any

from corta.agents.modeler.name_mending import mended
from corta.agents.modeler.repeated_names import mend_repeated_names
from corta.solvers.optmodel.checks import compile_findings, unused_data_finding


def _data(*names: str) -> list[dict[str, Any]]:
    return [{"name": name, "data": 10.0} for name in names]


def test_a_repeated_parameter_keeps_its_first_declaration() -> None:
    partial = {"parameters": [*_data("budget"), {"name": "budget", "data": 99.0}, *_data("price")]}
    fixed, notes = mend_repeated_names(partial)
    assert fixed["parameters"] == [{"name": "budget", "data": 10.0}, {"name": "price", "data": 10.0}]
    assert notes == ["dropped the repeated parameter budget"]


def test_a_variable_named_like_a_datum_is_renamed_before_the_functions_are_written() -> None:
    partial = {
        "parameters": _data("vans", "num_vans"),
        "variables": [{"name": "vans", "type": "INTEGER"}, {"name": "hours", "type": "CONTINUOUS"}],
    }
    fixed, notes = mend_repeated_names(partial)
    assert [item["name"] for item in fixed["variables"]] == ["num_vans2", "hours"]
    assert [item["name"] for item in fixed["parameters"]] == ["vans", "num_vans"]
    assert notes == ["variable vans → num_vans2"]


def test_once_functions_are_written_the_name_means_the_decision_and_the_model_compiles() -> None:
    partial = {
        "sets": [],
        "parameters": _data("vans", "budget"),
        "variables": [{"name": "vans", "type": "INTEGER"}],
        "objective": {"sense": "max", "function": "vans"},
        "constraints": [{"name": "cost", "function": "500*vans <= budget"}],
    }
    assert compile_findings(partial) != []
    fixed = mended(partial)
    assert [item["name"] for item in fixed["parameters"]] == ["vans_value", "budget"]
    assert fixed["constraints"][0]["function"] == "500*vans <= budget"
    assert compile_findings(fixed) == [
        unused_data_finding(["vans_value"])
    ]  # compiles; the datum is left over


def test_a_model_without_repeats_is_left_as_it_is() -> None:
    partial = {"parameters": _data("a", "b"), "variables": [{"name": "x", "type": "CONTINUOUS"}]}
    assert mend_repeated_names(partial) == (partial, [])
