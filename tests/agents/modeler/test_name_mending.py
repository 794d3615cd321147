"""Misspelt names in a model's functions are mended to the declared name they clearly mean, and only then."""

from typing import Any

from corta.agents.modeler.name_mending import mend_unknown_names
from corta.solvers.optmodel.checks import compile_findings


def _model(parameters: list[str], variables: list[str], objective: str, *constraints: str) -> dict[str, Any]:
    return {
        "sets": [],
        "parameters": [{"name": name, "data": 2.0} for name in parameters],
        "variables": [{"name": name, "type": "CONTINUOUS"} for name in variables],
        "objective": {"sense": "max", "function": objective},
        "constraints": [{"name": f"c{n}", "function": text} for n, text in enumerate(constraints)],
    }


def test_a_typo_in_a_parameter_name_is_mended_and_the_model_compiles() -> None:
    model = _model(
        ["vintage_volume", "regular_volume", "vine"],
        ["vintage", "regular"],
        "vintage + regular",
        "vinage_volume*vintage + regular_volume*regular <= vine",
    )
    assert compile_findings(model)
    mended, notes = mend_unknown_names(model)
    assert notes == ["vinage_volume → vintage_volume"]
    assert mended["constraints"][0]["function"] == "vintage_volume*vintage + regular_volume*regular <= vine"
    assert compile_findings(mended) == []


def test_a_shortened_variable_name_is_mended_when_one_declared_name_holds_it() -> None:
    mended, notes = mend_unknown_names(
        _model([], ["chocolate_cakes", "vanilla_cakes"], "200*chocolate + 300*vanilla", "chocolate <= 10")
    )
    assert notes == ["chocolate → chocolate_cakes", "vanilla → vanilla_cakes"]
    assert mended["objective"]["function"] == "200*chocolate_cakes + 300*vanilla_cakes"
    assert mended["constraints"][0]["function"] == "chocolate_cakes <= 10"


def test_an_unclear_name_is_left_for_the_repair_round() -> None:
    model = _model([], ["w1", "t1"], "w1 + t2")
    assert mend_unknown_names(model) == (model, [])
    ambiguous = _model([], ["small_cake", "large_cake"], "cake")
    assert mend_unknown_names(ambiguous) == (ambiguous, [])


def test_a_shortened_name_means_the_variable_before_the_parameter() -> None:
    _, notes = mend_unknown_names(
        _model(["chocolate_price"], ["chocolate_cakes"], "chocolate_price*chocolate")
    )
    assert notes == ["chocolate → chocolate_cakes"]


def test_only_whole_words_are_replaced_and_partial_models_pass_through() -> None:
    mended, _ = mend_unknown_names(_model(["cost_a"], ["xa", "xaa"], "cost_b*xa + xaa"))
    assert mended["objective"]["function"] == "cost_a*xa + xaa"
    data_only = {"sets": [], "parameters": [{"name": "a", "data": 1.0}]}
    assert mend_unknown_names(data_only) == (data_only, [])
