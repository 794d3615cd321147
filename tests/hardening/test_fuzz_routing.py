"""Fuzzing the routing readers: Solomon and VRPLIB instance files (`read_instance`, only `InstanceError` escapes) and
RoutBench's JSON (`load_routbench`, only `DatasetError` or `ConfigError` escapes)."""

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corta.datasets.routbench import load_routbench
from corta.errors import ConfigError, DatasetError
from corta.solvers.routing.instance import InstanceError, read_instance
from tests.hardening.fuzzing import edited, fuzz_settings, json_values, mutated, only, spliced

TARGET = "routing"
SOLOMON = """C103

VEHICLE
NUMBER     CAPACITY
  3         200

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND    READY TIME  DUE DATE   SERVICE  TIME

    0      40         50          0          0       1236          0
    1      45         68         10          0       1127         90
    2      45         70         30          0       1125         90
    3      42         66         10        727        782         90
"""
VRPLIB = """NAME : tiny-n4-k2
COMMENT : a hand-made instance
TYPE : CVRP
DIMENSION : 4
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 3 4
3 6 8
4 1 1
DEMAND_SECTION
1 0
2 4
3 5
4 3
DEPOT_SECTION
1
-1
EOF
"""
WORDS = [
    "NAME", "TYPE", "DIMENSION", "CAPACITY", "VEHICLES", "EDGE_WEIGHT_TYPE", "EUC_2D", "EXPLICIT", "FULL_MATRIX",
    "EDGE_WEIGHT_SECTION", "NODE_COORD_SECTION", "DEMAND_SECTION", "DEPOT_SECTION", "TIME_WINDOW_SECTION",
    "SERVICE_TIME", "SERVICE_TIME_SECTION", "EOF", "VEHICLE", "CUSTOMER", "NUMBER", ":", "-1", "0", "1", "2", "3",
    "1e9", "nan", "-5", "2.5", "x", "\n", "\t", " ",
]  # fmt: skip
INSTANCE_TEXT = st.sampled_from([SOLOMON, VRPLIB]).flatmap(
    lambda text: edited(text, st.sampled_from(WORDS))
) | spliced(WORDS, max_size=60)
RECORD = {
    "type": ["Vehicle Capacity Constraint - 1", "Time Windows Constraint - 2"],
    "description": "Each vehicle carries at most its capacity and serves each customer in its window.",
    "code": "def check_constraints(solution):\n    return True\n",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-routing")


@fuzz_settings()
@given(text=INSTANCE_TEXT, instance_format=st.sampled_from([None, "solomon", "vrplib"]))
def test_an_instance_file_reads_or_is_an_instance_error(folder: Path, text: str, instance_format: Any):
    path = folder / "instance.txt"
    path.write_text(text, encoding="utf-8")
    with only(TARGET, InstanceError):
        data = read_instance(path, instance_format)
        assert data.num_customers >= 1 and data["edge_weight"].shape == (len(data["demand"]),) * 2


@fuzz_settings(share=0.25)
@given(raw=st.binary(max_size=200))
def test_an_instance_of_random_bytes_is_an_instance_error(folder: Path, raw: bytes):
    path = folder / "bytes.txt"
    path.write_bytes(raw)
    with only(TARGET, InstanceError):
        read_instance(path)


@fuzz_settings()
@given(
    records=json_values | st.lists(mutated(RECORD), max_size=3), split=st.sampled_from(["simple", "complex"])
)
def test_a_routbench_file_loads_or_is_a_dataset_error(folder: Path, records: Any, split: str):
    for name in ("500_simple.json", "250_complex_dev.json"):
        (folder / name).write_text(json.dumps(records), encoding="utf-8")
    with only(TARGET, DatasetError, ConfigError):
        variants = load_routbench(folder, split, 25)  # type: ignore[arg-type]
        assert all(variant.families and variant.checker_code for variant in variants)


@fuzz_settings(share=0.25)
@given(raw=st.binary(max_size=200), size=st.sampled_from([25, 50, 100, 0, -1]))
def test_a_routbench_file_of_random_bytes_is_a_dataset_error(folder: Path, raw: bytes, size: int):
    (folder / "500_simple.json").write_bytes(raw)
    with only(TARGET, DatasetError, ConfigError):
        load_routbench(folder, "simple", size)
