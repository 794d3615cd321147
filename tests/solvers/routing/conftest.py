"""Real instances for the routing tests, read from ../shared/data/routing (never copied into the repository).

Outside CI a checkout without the benchmark data skips the tests that need it; in CI (CI=true) it must be there.
"""

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from corta.solvers.routing.instance import ProblemData, read_instance
from corta.solvers.routing.state import VrpState

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "routing"


def _data_file(*parts: str) -> Path:
    path = DATA.joinpath(*parts)
    if not path.is_file() and not os.environ.get("CI"):
        pytest.skip(f"benchmark data not at {path}")
    return path


@pytest.fixture(scope="session")
def c103_25() -> ProblemData:
    """RoutBench's instance: the first 25 customers of Solomon C103 (capacity 200, time windows)."""
    return read_instance(_data_file("routbench", "instance data_25.txt"))


@pytest.fixture(scope="session")
def a_n32_path() -> Path:
    """CVRPLIB A-n32-k5: 31 customers, capacity 100, no time windows; optimum 784."""
    return _data_file("classic", "cvrplib_ABEP", "A", "A-n32-k5.vrp")


@pytest.fixture(scope="session")
def a_n32(a_n32_path: Path) -> ProblemData:
    return read_instance(a_n32_path)


@pytest.fixture(scope="session")
def routbench_source() -> Callable[[int], str]:
    """The reference checker's source of a RoutBench 500_simple variant."""
    variants = json.loads(_data_file("routbench", "500_simple.json").read_text())
    return lambda index: variants[index]["code"]


@pytest.fixture(scope="session")
def routbench_checker(routbench_source: Callable[[int], str]) -> Callable[[int], Callable]:
    """The reference checker of a RoutBench 500_simple variant, compiled as a RoutBench run compiles it."""

    def compile_checker(index: int) -> Callable:
        namespace = {"VrpState": VrpState}
        exec(routbench_source(index), namespace)
        return namespace["check_constraints"]

    return compile_checker
