"""The batch runner on a toy task: one line per item, errors as results, resume after a kill, reports."""

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from corta.datasets.evaluate import (
    REPORT_FILE,
    RESULTS_FILE,
    RUN_FILE,
    EvalRecord,
    RunInfo,
    read_results,
    run_evaluation,
    write_report,
)
from corta.errors import ConfigError


@dataclass(frozen=True)
class Number:
    id: str
    value: int


@dataclass
class Squares:
    """Squares a number: 5 is a wrong answer, 7 raises, anything in `interrupt_on` stops the run like Ctrl-C."""

    name: str = "squares"
    scoring: str = "success when the square is right"
    interrupt_on: frozenset[int] = frozenset()
    delay: float = 0.0
    ran: list[str] = field(default_factory=list)
    active: int = 0
    most_active: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, item: Number) -> dict[str, Any]:
        with self.lock:
            self.ran.append(item.id)
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            time.sleep(self.delay)
            if item.value in self.interrupt_on:
                raise KeyboardInterrupt
            if item.value == 7:
                raise RuntimeError("seven is unlucky")
            square = item.value * item.value + (1 if item.value == 5 else 0)
            return {"category": self.category(item), "success": square == item.value**2, "square": square}
        finally:
            with self.lock:
                self.active -= 1

    def category(self, item: Number) -> str:
        return "even" if item.value % 2 == 0 else "odd"

    def summarize(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"metric": "sum of squares", "value": sum(record.get("square", 0) for record in records)}]


NUMBERS = [Number(f"n/{value}", value) for value in range(10)]


def lines(out_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out_dir / RESULTS_FILE).read_text().splitlines()]


def stable(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Records by id without the measured wall time."""
    return {record["id"]: {k: v for k, v in record.items() if k != "seconds"} for record in records}


def test_one_line_per_item_with_errors_recorded_and_the_run_going_on(tmp_path: Path) -> None:
    summary = run_evaluation(Squares(), NUMBERS, tmp_path, progress=True, command="corta eval squares")
    records = lines(tmp_path)
    assert sorted(record["id"] for record in records) == sorted(number.id for number in NUMBERS)
    by_id = stable(records)
    assert by_id["n/3"] == {"id": "n/3", "category": "odd", "success": True, "error": None, "square": 9}
    assert by_id["n/5"]["success"] is False and by_id["n/5"]["error"] is None  # a wrong answer
    assert by_id["n/7"] == {
        "id": "n/7",
        "category": "odd",  # from the task's category(item), since run raised
        "success": False,
        "error": "RuntimeError: seven is unlucky",
    }
    assert all(record["seconds"] >= 0 for record in records)
    assert (summary.overall.items, summary.overall.successes, summary.overall.errors) == (10, 8, 1)
    assert summary.overall.success_rate == pytest.approx(0.8)
    assert [(group.name, group.items, group.successes) for group in summary.categories] == [
        ("even", 5, 5),
        ("odd", 5, 3),
    ]
    squares = [value * value for value in range(10) if value != 7] + [1]  # 5 answered 26
    assert summary.overall.means["square"].value == pytest.approx(sum(squares) / 9)
    assert summary.overall.means["square"].count == 9
    assert [record.id for record in summary.failed] == ["n/7"]
    assert summary.extra_rows == [{"metric": "sum of squares", "value": sum(squares)}]
    info = RunInfo.model_validate_json((tmp_path / RUN_FILE).read_text())
    assert (info.task, info.command, info.workers, info.items, info.resumed) == (
        "squares",
        "corta eval squares",
        1,
        10,
        0,
    )
    assert info.finished is not None and info.finished >= info.started
    assert info.scoring == "success when the square is right"


def test_a_finished_run_reruns_nothing(tmp_path: Path) -> None:
    run_evaluation(Squares(), NUMBERS, tmp_path, progress=False)
    again = Squares()
    summary = run_evaluation(again, NUMBERS, tmp_path, progress=False)
    assert again.ran == []
    assert len(lines(tmp_path)) == 10 and summary.overall.items == 10
    assert RunInfo.model_validate_json((tmp_path / RUN_FILE).read_text()).resumed == 10


def test_resume_after_a_kill_skips_recorded_ids_and_drops_the_cut_line(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    run_evaluation(Squares(), NUMBERS, reference, progress=False)
    written = (reference / RESULTS_FILE).read_text().splitlines()
    killed = tmp_path / "killed"
    killed.mkdir()
    # Four whole lines, then half of the fifth: the write a kill cut short.
    (killed / RESULTS_FILE).write_text("\n".join(written[:4]) + "\n" + written[4][: len(written[4]) // 2])
    resumed = Squares()
    summary = run_evaluation(resumed, NUMBERS, killed, progress=False)
    recorded_before = {json.loads(line)["id"] for line in written[:4]}
    assert set(resumed.ran) == {number.id for number in NUMBERS} - recorded_before
    records = lines(killed)  # every line parses: the cut one is gone
    assert sorted(record["id"] for record in records) == sorted(number.id for number in NUMBERS)
    assert stable(records) == stable(lines(reference))
    assert summary.overall.items == 10


def test_an_interrupt_keeps_the_finished_items_and_a_rerun_completes_each_once(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        run_evaluation(Squares(interrupt_on=frozenset({4})), NUMBERS, tmp_path, progress=False)
    assert [record["id"] for record in lines(tmp_path)] == ["n/0", "n/1", "n/2", "n/3"]
    rerun = Squares()
    run_evaluation(rerun, NUMBERS, tmp_path, progress=False)
    assert rerun.ran == [f"n/{value}" for value in range(4, 10)]
    assert sorted(record["id"] for record in lines(tmp_path)) == sorted(number.id for number in NUMBERS)


def test_duplicate_lines_are_counted_once(tmp_path: Path) -> None:
    line = EvalRecord(id="n/1", category="odd", success=True, seconds=0.1).model_dump_json()
    (tmp_path / RESULTS_FILE).write_text(f"{line}\n{line}\n")
    summary = run_evaluation(Squares(), NUMBERS[:3], tmp_path, progress=False)
    assert [record["id"] for record in lines(tmp_path)].count("n/1") == 1
    assert summary.overall.items == 3


def test_retry_errors_reruns_only_the_failed_items(tmp_path: Path) -> None:
    run_evaluation(Squares(), NUMBERS, tmp_path, progress=False)
    retry = Squares()
    summary = run_evaluation(retry, NUMBERS, tmp_path, progress=False, retry_errors=True)
    assert retry.ran == ["n/7"]
    assert [record["id"] for record in lines(tmp_path)].count("n/7") == 1
    assert summary.overall.errors == 1


def test_two_workers_run_two_at_once_and_give_the_same_records(tmp_path: Path) -> None:
    run_evaluation(Squares(), NUMBERS, tmp_path / "one", workers=1, progress=False)
    parallel = Squares(delay=0.02)
    run_evaluation(parallel, NUMBERS, tmp_path / "two", workers=2, progress=False)
    assert parallel.most_active == 2
    assert stable(lines(tmp_path / "two")) == stable(lines(tmp_path / "one"))
    assert len(lines(tmp_path / "two")) == 10


def test_limit_runs_the_first_items_only(tmp_path: Path) -> None:
    summary = run_evaluation(Squares(), NUMBERS, tmp_path, limit=3, progress=False)
    assert [record["id"] for record in lines(tmp_path)] == ["n/0", "n/1", "n/2"]
    assert summary.overall.items == 3


@dataclass
class Sloppy:
    """Returns records the runner must refuse: no success flag, someone else's id, or unserialisable values."""

    name: str = "sloppy"

    def run(self, item: Number) -> dict[str, Any]:
        return [
            {"category": "x"},
            {"category": "x", "success": True, "id": "other"},
            {"category": "x", "success": True, "blob": object()},
            {"category": "x", "correct": True, "cost": 2.5},
        ][item.value]


def test_invalid_task_records_become_errors_and_correct_counts_as_success(tmp_path: Path) -> None:
    summary = run_evaluation(Sloppy(), NUMBERS[:4], tmp_path, progress=False)
    by_id = {record.id: record for record in summary.records}
    assert "neither `success` nor `correct`" in str(by_id["n/0"].error)
    assert "'other'" in str(by_id["n/1"].error)
    assert by_id["n/2"].error is not None and by_id["n/2"].category == "uncategorised"
    assert by_id["n/3"].success is True and by_id["n/3"].error is None
    assert summary.overall.means["cost"].value == 2.5


def test_bad_arguments_raise_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="worker"):
        run_evaluation(Squares(), NUMBERS, tmp_path, workers=0, progress=False)
    with pytest.raises(ConfigError, match="'n/1' appears more than once"):
        run_evaluation(Squares(), [*NUMBERS, Number("n/1", 1)], tmp_path, progress=False)
    with pytest.raises(ConfigError, match="at least 0"):
        run_evaluation(Squares(), NUMBERS, tmp_path, limit=-1, progress=False)
    with pytest.raises(ConfigError, match="No results"):
        write_report(tmp_path / "empty", "Nothing")


def test_report_holds_the_command_tables_errors_and_linked_plots(tmp_path: Path) -> None:
    run_evaluation(Squares(), NUMBERS, tmp_path, workers=2, progress=False, command="corta eval squares -w 2")
    path = write_report(tmp_path, "Squares on ten numbers", plot_field="square")
    assert path == tmp_path / REPORT_FILE
    report = path.read_text()
    assert report.startswith("# Squares on ten numbers\n")
    assert "```\ncorta eval squares -w 2\n```" in report  # from run.json when not given
    assert "| all | 10 | 8 | 80.0% | 1 |" in report
    assert "| even | 5 | 5 | 100.0% | 0 |" in report
    assert "| odd | 5 | 3 | 60.0% | 1 |" in report
    assert "(n=9)" in report  # the mean square is over the nine items that have one
    assert "| n/7 | odd | RuntimeError: seven is unlucky |" in report
    assert "| sum of squares |" in report
    assert "Scoring: success when the square is right" in report
    for image in ("success_by_category.png", "square_distribution.png"):
        assert f"]({image})" in report
        assert (tmp_path / image).read_bytes().startswith(b"\x89PNG")
    explicit = write_report(tmp_path, "Again", command="make eval", plot_field="tokens").read_text()
    assert "```\nmake eval\n```" in explicit
    assert "No `tokens` values to plot." in explicit
    assert len(read_results(tmp_path)) == 10
