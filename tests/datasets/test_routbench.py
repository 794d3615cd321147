"""RoutBench loader on the real data in ../shared/data/routing/routbench, and the seeded sample."""

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from corta.datasets.routbench import FAMILIES, family_of, instance_path, load_routbench
from corta.datasets.sampling import sample
from corta.errors import ConfigError, DatasetError


def data_root() -> Path:
    """RoutBench's files, kept beside the repository (never copied into it)."""
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "routing" / "routbench"


# Outside CI a checkout without the benchmark data skips these; in CI (CI=true) the data must be there.
needs_data = pytest.mark.skipif(
    not data_root().is_dir() and not os.environ.get("CI"),
    reason="benchmark data not at ../shared/data/routing/routbench",
)


@needs_data
def test_simple_split_loads_all_500_with_positional_ids() -> None:
    variants = load_routbench(data_root(), "simple")
    assert [variant.id for variant in variants] == [f"routbench/simple/{index}" for index in range(500)]
    assert all(variant.split == "simple" and variant.instance_size == 25 for variant in variants)
    # 1-3 families per simple variant, as SOURCE.md counts them (8 / 92 / 400).
    assert Counter(len(variant.families) for variant in variants) == {1: 8, 2: 92, 3: 400}


@needs_data
def test_complex_dev_split_keeps_the_original_even_indices() -> None:
    variants = load_routbench(data_root(), "complex", size=100)
    assert len(variants) == 250
    assert [variant.id for variant in variants] == [
        f"routbench/complex/{index}" for index in range(0, 500, 2)
    ]
    assert all(variant.split == "complex" and variant.instance_size == 100 for variant in variants)
    assert {len(variant.families) for variant in variants} == {4, 5}


@needs_data
def test_all_is_simple_then_complex_with_unique_ids() -> None:
    variants = load_routbench(data_root())
    assert len(variants) == 750
    assert len({variant.id for variant in variants}) == 750
    assert variants[499].id == "routbench/simple/499"
    assert variants[500].id == "routbench/complex/0"


@needs_data
def test_every_variant_has_parsed_families_and_a_compiling_checker() -> None:
    variants = load_routbench(data_root())
    for variant in variants:
        assert len(variant.families) == len(variant.types)
        assert len(set(variant.families)) == len(variant.families)  # a family appears once per variant
        assert variant.description.strip()
        code = compile(variant.checker_code, variant.id, "exec")  # compiled, never run
        assert "check_constraints" in code.co_names
    found = {family for variant in variants for family in variant.families}
    assert found == set(FAMILIES.values())
    assert len({name for variant in variants for name in variant.types}) == 24  # the README's 24 variants


@needs_data
def test_a_variant_reads_as_its_record() -> None:
    variant = load_routbench(data_root(), "simple")[17]
    assert variant.types == [
        "Pickup and Delivery Constraint - DVRPMPD",
        "Same Vehicle Constraint - CluVRP",
        "Priority Constraint - PVRP",
    ]
    assert variant.families == ["pickup & delivery", "same vehicle", "priority"]
    assert variant.description.startswith("At Node [24], 10 units of goods are picked up")
    assert variant.checker_code.startswith("def check_constraints(solution: VrpState) -> bool:")


@needs_data
@pytest.mark.parametrize("size", [25, 50, 100])
def test_instance_files_exist_and_hold_size_customers(size: int) -> None:
    path = instance_path(data_root(), size)
    assert path.name == f"instance data_{size}.txt"
    rows = [line.split() for line in path.read_text().splitlines()]
    customers = [row for row in rows if len(row) == 7 and row[0].isdigit()]
    assert [int(row[0]) for row in customers] == list(range(size + 1))  # depot 0, then customers 1..size


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("Vehicle Capacity Constraint - MCVRP", "capacity"),
        ("Distance Limit Constraint - RVRP", "distance limit"),
        ("Time Windows Constraint - DVRPTW", "time windows"),
        ("Pickup and Delivery Constraint - HVRPMPD", "pickup & delivery"),
        ("Same Vehicle Constraint - VRPILC", "same vehicle"),
        ("Priority Constraint - VRP-dRP", "priority"),
    ],
)
def test_family_of(name: str, family: str) -> None:
    assert family_of(name) == family


def test_unknown_family_is_rejected() -> None:
    with pytest.raises(ValueError, match="Loading Constraint"):
        family_of("Loading Constraint - 3L-CVRP")


def test_a_bad_record_is_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    good = {"type": ["Priority Constraint - PVRP"], "description": "Node [3] first.", "code": "def f(): pass"}
    records = [good, {**good, "type": ["Loading Constraint - 3L"]}, {"type": [], "code": ""}, good]
    (tmp_path / "500_simple.json").write_text(json.dumps(records))
    variants = load_routbench(tmp_path, "simple", size=50)
    assert [variant.id for variant in variants] == ["routbench/simple/0", "routbench/simple/3"]
    assert "skipped 2 of 4 records" in caplog.text


def test_missing_data_and_unknown_names_raise(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=re.escape(str(tmp_path / "500_simple.json"))):
        load_routbench(tmp_path, "simple")
    with pytest.raises(DatasetError, match=re.escape("instance data_50.txt")):
        instance_path(tmp_path, 50)
    with pytest.raises(ConfigError, match="simple, complex, all"):
        load_routbench(tmp_path, "hard")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="25, 50, 100"):
        load_routbench(tmp_path, "simple", size=30)
    (tmp_path / "500_simple.json").write_text('{"not": "a list"}')
    with pytest.raises(DatasetError, match="JSON list"):
        load_routbench(tmp_path, "simple")


@needs_data
def test_sample_is_seeded_stable_and_nested() -> None:
    variants = load_routbench(data_root())
    chosen = sample(variants, 20, seed=7)
    ids = [variant.id for variant in chosen]
    assert len(set(ids)) == 20
    assert ids == sorted(ids, key=[variant.id for variant in variants].index)  # in the input's order
    assert chosen == sample(variants, 20, seed=7)
    assert {variant.id for variant in sample(list(reversed(variants)), 20, seed=7)} == set(ids)
    assert {variant.id for variant in sample(variants, 5, seed=7)} <= set(ids)  # a smaller sample nests
    assert {variant.id for variant in sample(variants, 20, seed=8)} != set(ids)
    # Pinned: a change to the sampling rule would silently change every reported sample.
    assert [variant.id for variant in sample(variants, 3, seed=0)] == [
        "routbench/simple/460",
        "routbench/simple/468",
        "routbench/complex/250",
    ]


def test_sample_of_more_than_there_are_returns_all_in_order() -> None:
    items = [type("Item", (), {"id": f"x/{index}"})() for index in range(4)]
    assert sample(items, 10, seed=1) == items
    assert sample(items, 0, seed=1) == []
    with pytest.raises(ConfigError, match="at least 0"):
        sample(items, -1, seed=1)
