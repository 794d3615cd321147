"""Reading the templates from a description's wording: RoutBench's language, our own paraphrases, and the fallback
to the LLM for anything the cues do not understand (never a wrong set)."""

from pathlib import Path

import pytest

from corta.agents.router.detect import detect
from corta.datasets.routbench import load_routbench
from corta.datasets.routing_eval import expected_templates

# Our own wording (not RoutBench's): None means the cues must leave the choice to the LLM.
PARAPHRASES: list[tuple[str, list[str] | None]] = [
    ("Every truck can carry at most 120 units.", ["capacity.limit"]),
    (
        "Loads must stay within the vehicle capacity. Customers 4 and 9 have to be on one truck.",
        ["capacity.limit", "same_vehicle.together"],
    ),
    ("Customers 3 and 8 must never share a route.", ["same_vehicle.apart"]),
    ("Nodes [3, 8] must be on different routes.", ["same_vehicle.apart"]),
    ("Serve every customer inside its time window.", ["time_windows.windows"]),
    (
        "Respect the time windows. Node [6] may also be served in a second window [500, 600].",
        ["time_windows.extra_windows"],
    ),
    ("No route may be longer than 180 units of distance.", ["distance_limit.max_length"]),
    (
        "Routes are limited to 200 in total length, and at least two routes must be shorter than 120.",
        ["distance_limit.short_routes"],
    ),
    ("Node [2] and node [9] must be visited consecutively on the same route.", ["same_vehicle.consecutive"]),
    (
        "Nodes [4, 11] are priority customers: visit them before any other customer on their route.",
        ["priority.first"],
    ),
    (
        "Node [5] has priority and must be among the first three stops of its route.",
        ["priority.early_position"],
    ),
    (
        "The vehicle capacity must be respected. Nodes [10, 12] need a second product, at most 90 units per route.",
        ["capacity.second_product"],
    ),
    (
        "At node [20] we pick up 15 units; pickups use up capacity. Nodes [3, 4] must be on the same route.",
        ["pickup_delivery.mixed", "same_vehicle.together"],
    ),
    (
        "Vehicles have a range of 160 units; after visiting node [14] the range is reset to 160.",
        ["distance_limit.recharge"],
    ),
    (
        "Time windows apply at every node. One route may leave the depot later, at time 250.",
        ["time_windows.delayed_start"],
    ),
    ("Customers 7 and 12 ride together and customer 7 comes first.", ["same_vehicle.ordered"]),
    (
        "The capacity of each vehicle is 100. Visit node [4] before node [9] on the same route.",
        ["capacity.limit", "same_vehicle.ordered"],
    ),
    ("Keep each route under 150 km and make sure node 5 is served first as it is urgent.", None),
    ("Customers 5 and 7 share a truck.", ["same_vehicle.together"]),
    ("Customers 5 and 7 ride in one van.", None),
    ("Vehicle capacity is 50. Node 3 is urgent and must be visited first on its route.", None),
]


@pytest.mark.parametrize(("text", "expected"), PARAPHRASES)
def test_own_wording_is_read_exactly_or_left_to_the_llm(text: str, expected: list[str] | None) -> None:
    detection = detect(text)
    assert sorted(detection.templates) == sorted(expected or [])


def test_a_sentence_no_cue_explains_sends_the_whole_choice_to_the_llm() -> None:
    detection = detect("Vehicle capacity is 50. Node 3 is urgent and must be visited first on its route.")
    assert detection.templates == []
    assert detection.unread == ["Node 3 is urgent and must be visited first on its route."]


def test_two_rules_of_one_family_give_two_templates() -> None:
    detection = detect("Nodes [7, 8] must be on the same route. Nodes [7, 8] must not be on the same route.")
    assert detection.templates == ["same_vehicle.together", "same_vehicle.apart"]
    assert detection.evidence == {
        "same_vehicle.together": "Nodes [7, 8] must be on the same route.",
        "same_vehicle.apart": "Nodes [7, 8] must not be on the same route.",
    }


def test_a_modifier_sentence_joins_the_rule_it_continues() -> None:
    # "at least 3 routes" makes a capacity rule HCVRP after a capacity sentence, HVRPMPD after a pickup one.
    tail = " Specifically, there should be at least 3 routes where the total load is less than 100 units."
    assert detect("The total load of each route must not exceed the vehicle capacity." + tail).templates == [
        "capacity.light_routes"
    ]
    pickup = "At Node [24], 10 units of goods are picked up. Unlike delivery, a pickup uses the vehicle's capacity."
    assert detect(pickup + tail).templates == ["pickup_delivery.light_returns"]


@pytest.mark.parametrize("split", ["simple", "complex"])
def test_every_routbench_variant_is_read_as_its_sub_variants(instance: Path, split: str) -> None:
    variants = load_routbench(instance.parent, split, 25)  # type: ignore[arg-type]
    wrong = [
        (variant.id, detect(variant.description).templates)
        for variant in variants
        if sorted(detect(variant.description).templates) != sorted(expected_templates(variant))
    ]
    assert len(variants) >= 250 and wrong == []
