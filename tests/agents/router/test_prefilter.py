"""The embedding pre-filter on the real encoder (all-MiniLM-L6-v2 from its PyPI package, offline): every template
of the hand-filled RoutBench variants survives it, and it narrows the catalogue."""

from pathlib import Path

import pytest

from corta.agents.router.constraint_db import TEMPLATES
from corta.agents.router.prefilter import Prefilter, template_text
from tests.agents.router.conftest import FILLED, ROUTBENCH, json, load_routbench


@pytest.fixture(scope="module")
def prefilter() -> Prefilter:
    return Prefilter()


def test_the_right_templates_survive_and_the_catalogue_narrows(prefilter: Prefilter, instance: Path) -> None:
    variants = {variant.id: variant for variant in load_routbench(ROUTBENCH, "all", 25)}
    filled = json.loads(FILLED.read_text())["variants"]
    sizes = []
    for entry in filled:
        candidates = prefilter(variants[entry["id"]].description)
        missed = {item["template"] for item in entry["constraints"]} - set(candidates)
        assert not missed, (entry["id"], missed)
        sizes.append(len(candidates))
    assert sum(sizes) / len(sizes) < 0.8 * len(TEMPLATES)
    assert min(sizes) <= 12


def test_sentences_in_other_words_vote_for_their_family(prefilter: Prefilter) -> None:
    for sentence, family in (
        ("Each route must be at most 120 units long.", "distance_limit"),
        ("Customer 12 must be visited between time 100 and 200.", "time_windows"),
        ("Node 6 must be served first on its route.", "priority"),
        ("Nodes 4 and 9 must be served by different vehicles.", "same_vehicle"),
    ):
        families = prefilter.families(sentence)
        assert family in families and len(families) <= 3, (sentence, families)
        assert {key for key in TEMPLATES if key.startswith(family + ".")} <= set(prefilter(sentence))
    assert "The nodes whose service time grows." in template_text(TEMPLATES["time_windows.growing_service"])
