"""Reference runs are shared through their file, also between evaluations running side by side."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from corta.datasets import routing_eval
from corta.datasets.routbench import RoutingVariant
from corta.datasets.routing_eval import ReferenceRuns


def variant(index: int) -> RoutingVariant:
    return RoutingVariant(
        id=f"routbench/simple/{index}",
        types=["Capacity"],
        families=["capacity"],
        description="Each vehicle carries at most 50 units.",
        checker_code="def check_constraints(routes):\n    return True\n",
        split="simple",
        instance_size=25,
    )


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each backbone run instead of solving; each run returns a different cost."""
    calls: list[str] = []

    def fake_solve(instance: Path, code: str, seconds: float, seed: int) -> SimpleNamespace:
        calls.append(str(instance))
        return SimpleNamespace(routes=[[1, 2]], cost=float(len(calls)), feasible=True)

    monkeypatch.setattr(routing_eval, "solve_with_code", fake_solve)
    return calls


def test_a_run_is_made_once_and_read_back_by_a_new_reader(tmp_path: Path, solves: list[str]) -> None:
    path = tmp_path / "reference_runs.jsonl"
    first = ReferenceRuns(path).get(variant(1), tmp_path / "a.txt", 60, 0)
    again = ReferenceRuns(path).get(variant(1), tmp_path / "a.txt", 60, 0)
    assert again == first and len(solves) == 1
    ReferenceRuns(path).get(variant(1), tmp_path / "a.txt", 30, 0)
    assert len(solves) == 2


def test_a_reader_opened_earlier_picks_up_what_another_one_added(tmp_path: Path, solves: list[str]) -> None:
    path = tmp_path / "reference_runs.jsonl"
    early, late = ReferenceRuns(path), ReferenceRuns(path)
    made = late.get(variant(2), tmp_path / "a.txt", 60, 0)
    assert early.get(variant(2), tmp_path / "a.txt", 60, 0) == made
    assert len(solves) == 1


def test_the_first_run_of_a_key_wins_over_a_later_duplicate(tmp_path: Path, solves: list[str]) -> None:
    path = tmp_path / "reference_runs.jsonl"
    kept = ReferenceRuns(path).get(variant(3), tmp_path / "a.txt", 60, 0)
    with path.open("a", encoding="utf-8") as sink:
        sink.write('{"key": "routbench/simple/3|25|60|0", "routes": [], "cost": 999.0, "feasible": false}\n')
        sink.write("not json\n")
    assert ReferenceRuns(path).get(variant(3), tmp_path / "a.txt", 60, 0) == kept
