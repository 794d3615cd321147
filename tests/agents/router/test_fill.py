"""Reviewing the LLM's parameters against the text and the instance, without a model."""

from pathlib import Path

from corta.agents.router.fill import node_ids, review_parameters
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
