"""Classic VRP instances and their best-known values, on the real data in ../shared/data/routing/classic."""

import os
import re
from pathlib import Path

import pytest

from corta.datasets.vrp import load_classic
from corta.errors import ConfigError, DatasetError


def data_root() -> Path:
    """The classic instances, kept beside the repository (never copied into it)."""
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "routing" / "classic"


# Outside CI a checkout without the benchmark data skips these; in CI (CI=true) the data must be there.
needs_data = pytest.mark.skipif(
    not data_root().is_dir() and not os.environ.get("CI"),
    reason="benchmark data not at ../shared/data/routing/classic",
)

COUNTS = {"A": 27, "B": 23, "E": 13, "P": 24, "C1": 9, "C2": 8, "R1": 12, "R2": 11, "RC1": 8, "RC2": 8}


def sol_cost(path: Path) -> float:
    match = re.search(r"^Cost\s+([\d.]+)", path.with_suffix(".sol").read_text(), re.MULTILINE)
    assert match, path
    return float(match[1])


@needs_data
@pytest.mark.parametrize(("set_name", "count"), COUNTS.items())
def test_each_set_loads_whole_with_files_and_best_known_values(set_name: str, count: int) -> None:
    instances = load_classic(data_root(), [set_name])
    assert len(instances) == count
    assert all(instance.set_name == set_name and instance.path.is_file() for instance in instances)
    assert all(instance.best_known is not None and instance.best_known > 0 for instance in instances)
    assert len({instance.id for instance in instances}) == count


@needs_data
def test_default_sets_are_a_b_p_with_integer_optima_matching_the_solution_files() -> None:
    instances = load_classic(data_root())
    assert [instance.set_name for instance in instances] == ["A"] * 27 + ["B"] * 23 + ["P"] * 24
    assert all(instance.kind == "cvrp" and instance.convention == "cvrplib" for instance in instances)
    for instance in instances:
        assert instance.best_known == sol_cost(instance.path)
        assert instance.best_known is not None and instance.best_known.is_integer()
    first = instances[0]
    assert (first.id, first.best_known, first.path.name) == ("cvrplib/A-n32-k5", 784.0, "A-n32-k5.vrp")
    names = [instance.id for instance in instances[:27]]
    assert names.index("cvrplib/A-n63-k9") < names.index("cvrplib/A-n63-k10")  # natural order


@needs_data
def test_solomon_has_56_instances_in_two_conventions() -> None:
    dimacs = {instance.id: instance for instance in load_classic(data_root(), ["solomon"])}
    assert len(dimacs) == 56
    assert all(instance.kind == "vrptw" and instance.convention == "dimacs" for instance in dimacs.values())
    assert (dimacs["solomon/C101"].best_known, dimacs["solomon/C101"].best_known_vehicles) == (827.3, 10)
    assert (dimacs["solomon/R101"].best_known, dimacs["solomon/R101"].best_known_vehicles) == (1637.7, 20)
    assert dimacs["solomon/RC208"].set_name == "RC2"
    exact = {instance.id: instance for instance in load_classic(data_root(), ["R1"], solomon_bks="exact")}
    assert (exact["solomon/R101"].best_known, exact["solomon/R101"].best_known_vehicles) == (1650.798, 19)
    assert exact["solomon/R101"].convention == "exact"


@needs_data
def test_sets_keep_the_requested_order_once_each() -> None:
    instances = load_classic(data_root(), ["E", "C2", "E"])
    assert [instance.set_name for instance in instances] == ["E"] * 13 + ["C2"] * 8
    assert [instance.set_name for instance in load_classic(data_root(), "RC1")] == ["RC1"] * 8


def test_unknown_sets_and_conventions_raise_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'X'; known: A, B, E, P, C1"):
        load_classic(tmp_path, ["A", "X"])
    with pytest.raises(ConfigError, match="dimacs, exact"):
        load_classic(tmp_path, ["R1"], solomon_bks="rounded")  # type: ignore[arg-type]


def test_missing_data_raises_dataset_errors_naming_it(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=re.escape("bks_ABEP.csv")):
        load_classic(tmp_path, ["A"])
    (tmp_path / "cvrplib_ABEP").mkdir()
    (tmp_path / "cvrplib_ABEP" / "bks_ABEP.csv").write_text("set,instance,bks_cost_rounded_int_convention\n")
    with pytest.raises(DatasetError, match=re.escape(str(tmp_path / "cvrplib_ABEP" / "B"))):
        load_classic(tmp_path, ["B"])


def test_an_instance_without_a_best_known_value_loads_with_none(tmp_path: Path) -> None:
    folder = tmp_path / "cvrplib_ABEP"
    (folder / "A").mkdir(parents=True)
    (folder / "A" / "A-n5-k1.vrp").write_text("NAME : A-n5-k1\n")
    (folder / "A" / "A-n6-k1.vrp").write_text("NAME : A-n6-k1\n")
    (folder / "bks_ABEP.csv").write_text("set,instance,bks_cost_rounded_int_convention\nA,A-n6-k1,42\n")
    instances = load_classic(tmp_path, ["A"])
    assert [(instance.id, instance.best_known) for instance in instances] == [
        ("cvrplib/A-n5-k1", None),
        ("cvrplib/A-n6-k1", 42.0),
    ]
