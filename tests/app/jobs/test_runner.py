"""The app's job runner: jobs run in the background one at a time, are recorded in the store, report progress, and
end in a result or in one sentence."""

import logging
import threading
from pathlib import Path

import pytest

from corta.app.jobs.runner import JobBusyError, JobProgress, JobRunner, error_sentence, runner_for
from corta.app.store import Store
from corta.errors import MergeError


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store.sqlite")


def test_a_job_runs_in_the_background_with_its_progress_and_is_recorded(store: Store) -> None:
    runner = JobRunner(store)
    release = threading.Event()
    done = []

    def work() -> dict[str, int]:
        release.wait(30)
        done.append(1)
        return {"items": 3}

    run_id = runner.submit(
        "evaluation", {"bench": "toy"}, work, lambda: JobProgress(len(done), 3, "counting")
    )
    running = runner.status(run_id)
    assert running is not None and running.state == "running" and running.kind == "evaluation"
    assert running.progress == JobProgress(0, 3, "counting") and running.params == {"bench": "toy"}
    assert runner.running().run_id == run_id  # type: ignore[union-attr]
    release.set()
    finished = runner.wait(run_id, 30)
    assert finished is not None and finished.state == "done" and finished.result == {"items": 3}
    assert finished.progress is not None and finished.progress.fraction == pytest.approx(1 / 3)
    assert finished.error is None and finished.seconds is not None
    assert runner.running() is None
    stored = store.run(run_id)
    assert stored is not None and stored.status == "done" and stored.result == {"items": 3}


def test_a_second_job_waits_for_the_first_to_end(store: Store) -> None:
    runner = JobRunner(store)
    release = threading.Event()
    first = runner.submit("merge", {}, lambda: {"ok": release.wait(30)})
    with pytest.raises(
        JobBusyError, match=rf"A merge \(run {first}\) is still running: wait for it to finish\."
    ):
        runner.submit("evaluation", {}, dict)
    release.set()
    runner.wait(first, 30)
    second = runner.submit("evaluation", {}, dict)
    status = runner.wait(second, 30)
    assert status is not None and status.state == "done" and status.result == {}


def test_a_failure_ends_the_job_in_one_sentence(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    runner = JobRunner(store)

    def missing_model() -> dict[str, str]:
        raise MergeError("Model folder /nowhere does not exist.")

    def bug() -> dict[str, str]:
        raise KeyError("weights")

    refused = runner.wait(runner.submit("merge", {}, missing_model), 30)
    assert refused is not None and refused.state == "failed"
    assert refused.error == "Model folder /nowhere does not exist." and refused.result is None
    with caplog.at_level(logging.ERROR, logger="corta.app.jobs.runner"):
        crashed = runner.wait(runner.submit("merge", {}, bug), 30)
    assert crashed is not None and crashed.state == "failed"
    assert crashed.error == "The merge stopped on an unexpected error (KeyError: 'weights')."
    assert "Traceback" in caplog.text and "KeyError" in caplog.text
    assert store.run(crashed.run_id).error == crashed.error  # type: ignore[union-attr]


def test_error_sentences_are_one_line_ending_in_a_stop() -> None:
    assert error_sentence("merge", MergeError("The server exited:\n  out of memory")) == (
        "The server exited: out of memory."
    )
    assert error_sentence("evaluation", ValueError("bad\nvalue")) == (
        "The evaluation stopped on an unexpected error (ValueError: bad value)."
    )


def test_runs_of_another_process_are_read_from_the_store(store: Store) -> None:
    finished = JobRunner(store)
    run_id = finished.submit("evaluation", {"bench": "toy"}, lambda: {"items": 1})
    finished.wait(run_id, 30)
    restarted = JobRunner(store)
    status = restarted.status(run_id)
    assert status is not None and status.state == "done" and status.progress is None
    assert restarted.status("no-such-run") is None


def test_the_tabs_share_one_runner_per_store(store: Store, tmp_path: Path) -> None:
    assert runner_for(store) is runner_for(store)
    assert runner_for(Store(tmp_path / "other.sqlite")) is not runner_for(store)
