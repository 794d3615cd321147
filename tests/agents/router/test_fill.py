"""Reviewing the LLM's parameters against the text and the instance, without a model."""

from pathlib import Path

import pytest

from corta.agents.router.constraint_db import TEMPLATES
from corta.agents.router.fill import node_ids, review_parameters, without_repeats
from corta.agents.router.fill_examples import EXAMPLES
from corta.agents.router.parse import parse_description
from corta.solvers.routing.instance import read_instance


def test_nodes_and_numbers_must_come_from_the_text_and_exist(instance: Path) -> None:
    data = read_instance(instance)
    parsed = parse_description(
        "Nodes [13, 31] must be on the same route. At node [24], 10 units are picked up."
    )
    review = review_parameters({"groups": [[13, 31]]}, parsed, data)
    assert review.fatal == ["node 31 does not exist in this 25-customer instance"] and not review.fixable
    review = review_parameters({"pickups": [{"node": 23, "amount": 12, "distance_factor": 0}]}, parsed, data)
    assert review.fixable == [
        "node 23 is not named in the text",
        "amount = 12 is not a number the text gives",
    ]
    review = review_parameters({"groups": [[13, 40]]}, parsed, data)
    assert review.fixable == [
        "node 40 does not exist in this 25-customer instance, and the text does not name it"
    ]
    assert node_ids({"levels": [[7], [5, 3]], "windows": [{"node": 4, "window": [900, 950]}]}) == [7, 5, 3, 4]


def test_amounts_no_plan_can_meet_are_noted(instance: Path) -> None:
    data = read_instance(instance)
    parsed = parse_description(
        "Each vehicle carries at most 5 units. Each route must not exceed 10 units in length."
    )
    notes = review_parameters({"capacity": 5}, parsed, data).notes
    assert len(notes) == 1 and notes[0].startswith("a capacity of 5 is below node")
    notes = review_parameters({"max_length": 10}, parsed, data).notes
    assert len(notes) == 1 and "cannot reach node" in notes[0]


def test_a_reading_must_hold_every_node_its_rule_names_and_nothing_from_other_rules(instance: Path) -> None:
    data = read_instance(instance)
    text = "Nodes [7, 10] must be on the same route, consecutively. Nodes [7, 5, 3] are priority points."
    parsed, rule = parse_description(text), parse_description("Nodes [7, 10] must be on the same route.")
    assert not review_parameters({"groups": [[7, 10]]}, parsed, data, rule).fixable
    review = review_parameters({"groups": [[7, 10], [7, 5, 3]]}, parsed, data, rule)
    assert review.fixable == ["node 5 is not named in the text", "node 3 is not named in the text"]
    review = review_parameters({"groups": [[7, 5]]}, parsed, data, rule)
    assert review.fixable[0] == "the text names node 10 for this rule, but the reading leaves it out"


def test_exact_repeats_are_dropped_from_a_reading() -> None:
    assert without_repeats({"sequences": [[13, 23], [13, 23]], "d": 1}) == {"sequences": [[13, 23]], "d": 1}
    assert without_repeats({"groups": [[1, 2], [2, 1]]}) == {"groups": [[1, 2], [2, 1]]}


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_has_a_worked_example_that_fits_its_parameters(key: str) -> None:
    text, params = EXAMPLES[key]
    TEMPLATES[key].validate(params)
    assert text and set(EXAMPLES) == set(TEMPLATES)


def test_a_limit_of_zero_or_one_must_be_stated_in_the_text(instance: Path) -> None:
    data = read_instance(instance)
    parsed = parse_description("The total load of each route must not exceed the vehicle capacity.")
    review = review_parameters({"capacity": 1}, parsed, data)
    assert review.fixable == ["capacity = 1 is not a number the text gives; null keeps the instance's"]
    assert not review_parameters({"capacity": None}, parsed, data).fixable
    relaxed = parse_description("Nodes [7, 5, 3] follow the d-relaxed priority rule, one level later.")
    assert not review_parameters({"levels": [[7], [5], [3]], "d": 1}, relaxed, data).fixable


def test_a_number_copied_from_the_worked_example_is_named_as_such(instance: Path) -> None:
    data = read_instance(instance)
    parsed = parse_description(
        "Each route must not exceed 200 units in length. After node [17], it is halved."
    )
    example = EXAMPLES["distance_limit.range_drop"][1]
    review = review_parameters(
        {"range_limit": 160, "nodes": [17], "factor": 0.5}, parsed, data, example=example
    )
    assert review.fixable == [
        "range_limit = 160 is not a number the text gives; it is the example's number: take this text's"
    ]
    assert not review_parameters({"range_limit": 200, "nodes": [17], "factor": 0.5}, parsed, data).fixable
