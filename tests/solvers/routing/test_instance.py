"""Reading Solomon and CVRPLIB files into the problem data RoutBench checkers index."""

import math
from pathlib import Path

import numpy as np
import pytest
import vrplib

from corta.solvers.routing.instance import InstanceError, ProblemData, as_problem_data, read_instance


def test_routbench_solomon_instance_has_the_checker_keys(c103_25: ProblemData) -> None:
    assert c103_25.name == "C103"
    assert len(c103_25.demand) == 26 and c103_25.num_customers == 25
    assert (c103_25["capacity"], c103_25["num_vehicles"]) == (200, 25)
    assert set(c103_25) == {
        "edge_weight", "time_window", "service_time", "capacity", "demand", "node_coord", "num_vehicles"
    }  # fmt: skip
    # Depot (40, 50) to customer 1 (45, 68): exact Euclidean, as vrplib computes it for Solomon files.
    assert c103_25["edge_weight"][0][1] == pytest.approx(math.hypot(5, 18), abs=1e-12)
    assert c103_25["time_window"][13].tolist() == [30, 92]
    assert c103_25["service_time"][13] == 90 and c103_25["demand"][25] == 40


def test_cvrplib_distances_are_rounded_so_the_optimum_costs_784(a_n32: ProblemData, a_n32_path: Path) -> None:
    assert (len(a_n32.demand), a_n32["capacity"], a_n32.num_vehicles) == (32, 100, 31)
    assert "time_window" not in a_n32 and not a_n32.has_time_windows
    assert a_n32["edge_weight"][0][1] == 35  # hypot(14, 32) = 34.93 rounds to 35
    routes = vrplib.read_solution(a_n32_path.with_suffix(".sol"))["routes"]
    weights = a_n32["edge_weight"]
    assert sum(weights[[0, *route], [*route, 0]].sum() for route in routes) == 784


def test_the_arrays_are_read_only(c103_25: ProblemData) -> None:
    with pytest.raises(ValueError, match="read-only"):
        c103_25["demand"][3] = 0
    with pytest.raises(TypeError):
        c103_25["capacity"] = 1  # type: ignore[index]


def test_a_vrplib_dict_becomes_problem_data_with_its_extras(c103_25: ProblemData) -> None:
    raw = {
        "edge_weight": c103_25.edge_weight,
        "demand": c103_25.demand,
        "capacity": 200,
        "vehicles": 4,
        "class_b_demand": {12: 70},
    }
    data = as_problem_data(raw)
    assert data.num_vehicles == 4 and data["class_b_demand"] == {12: 70} and "time_window" not in data


def test_inconsistent_data_is_refused() -> None:
    with pytest.raises(ValueError, match="edge_weight has shape"):
        ProblemData(edge_weight=np.zeros((3, 3)), demand=np.array([0, 1]), capacity=10)
    with pytest.raises(ValueError, match="closes before it opens"):
        ProblemData(np.zeros((2, 2)), np.array([0, 1]), 10, time_window=np.array([[0, 10], [5, 4]]))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just some notes\n", "neither in Solomon nor in VRPLIB format"),
        (
            "NAME : x\nDIMENSION : 3\nCAPACITY : 10\nNODE_COORD_SECTION\n1 0 0\n2 oops\n",
            "not a valid vrplib file",
        ),
        ("C1\n\nVEHICLE\nNUMBER CAPACITY\n 2 10\n\nCUSTOMER\n", "not a valid solomon file"),
    ],
)
def test_bad_files_raise_an_instance_error_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "broken.txt"
    path.write_text(text)
    with pytest.raises(InstanceError, match=message) as caught:
        read_instance(path)
    assert str(path) in str(caught.value) and isinstance(caught.value, ValueError)


def test_a_missing_file_is_an_instance_error(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match="Cannot read the instance file"):
        read_instance(tmp_path / "absent.vrp")
