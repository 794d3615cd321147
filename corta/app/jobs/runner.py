"""A small background runner for the app's long jobs: one thread per job, one job at a time, keyed by run id.

Evaluations and merges are heavy (they load the CPU, the GPU or the served model), so a second job is refused while
one runs. Each job is recorded in the store (`start_run`/`finish_run`); what it raises is caught here, at the job's
edge, logged, and kept as one sentence a user can read.
"""

import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from corta.app.store import Store
from corta.errors import CortaError

log = logging.getLogger(__name__)


class JobBusyError(CortaError):
    """Another job is still running."""


@dataclass(frozen=True)
class JobProgress:
    """How far a job is: `done` of `total` units (None when the total is unknown) and a line saying so."""

    done: int
    total: int | None
    text: str

    @property
    def fraction(self) -> float | None:
        """Done over total, in [0, 1]; None when the total is unknown."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


@dataclass(frozen=True)
class JobStatus:
    """A job as the app shows it: its state (running | done | failed), progress, result or error sentence, and the
    seconds it has run (so far, while it runs)."""

    run_id: str
    kind: str
    state: str
    params: dict[str, Any]
    progress: JobProgress | None
    result: dict[str, Any] | None
    error: str | None
    seconds: float | None


@dataclass
class _Job:
    progress: Callable[[], JobProgress] | None
    thread: threading.Thread
    started: float


def error_sentence(kind: str, error: BaseException) -> str:
    """One readable line for a job's failure: a `CortaError`'s own sentence, else the exception named."""
    if isinstance(error, CortaError) and str(error).strip():
        text = " ".join(str(error).split())
    else:
        text = f"The {kind} stopped on an unexpected error ({type(error).__name__}: {' '.join(str(error).split())})"
    return text if text.endswith((".", "!", "?")) else text + "."


class JobRunner:
    """Runs jobs in background threads, one at a time, and records them in `store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        kind: str,
        params: dict[str, Any],
        work: Callable[[], dict[str, Any]],
        progress: Callable[[], JobProgress] | None = None,
    ) -> str:
        """Start `work` in the background as a run of `kind`; returns the run id.

        `work` returns the run's result (kept in the store); `progress`, when given, is asked how far the job is
        each time its status is read.

        Raises
        ------
        JobBusyError
            When a job is running already.
        """
        with self._lock:
            self.ensure_idle()
            run_id = self.store.start_run(kind, params)
            thread = threading.Thread(
                target=self._run, args=(run_id, kind, work), name=f"corta-{kind}-{run_id}", daemon=True
            )
            self._jobs[run_id] = _Job(progress, thread, time.monotonic())
            thread.start()
        return run_id

    def ensure_idle(self) -> None:
        """Check that no job is running.

        Raises
        ------
        JobBusyError
            When a job is running, naming it.
        """
        running = self.running()
        if running is not None:
            raise JobBusyError(
                f"A {running.kind} (run {running.run_id}) is still running: wait for it to finish."
            )

    def running(self) -> JobStatus | None:
        """The job running now, if any."""
        for run_id, job in list(self._jobs.items()):
            if job.thread.is_alive():
                return self.status(run_id)
        return None

    def status(self, run_id: str) -> JobStatus | None:
        """The job's status (from the store once it ended, or when another process ran it); None if unknown."""
        job = self._jobs.get(run_id)
        run = self.store.run(run_id)
        if run is None:
            return None
        progress = job.progress() if job is not None and job.progress is not None else None
        if job is not None and job.thread.is_alive():
            state, seconds = "running", time.monotonic() - job.started
        else:
            state, seconds = run.status, (run.finished - run.created if run.finished is not None else None)
        return JobStatus(
            run_id=run_id,
            kind=run.kind,
            state=state,
            params=run.params,
            progress=progress,
            result=run.result,
            error=run.error,
            seconds=seconds,
        )

    def wait(self, run_id: str, timeout_s: float | None = None) -> JobStatus | None:
        """Block until the job ends (or `timeout_s` passes) and return its status."""
        job = self._jobs.get(run_id)
        if job is not None:
            job.thread.join(timeout_s)
        return self.status(run_id)

    def _run(self, run_id: str, kind: str, work: Callable[[], dict[str, Any]]) -> None:
        try:
            result = work()
        except (
            Exception
        ) as error:  # the job's edge: a failure becomes one sentence in the store, never a crash
            sentence = error_sentence(kind, error)
            if isinstance(error, CortaError):
                log.warning("%s %s failed: %s", kind, run_id, sentence)
            else:
                log.exception("%s %s failed", kind, run_id)
            self.store.finish_run(run_id, error=sentence)
            return
        self.store.finish_run(run_id, result=result)


_RUNNERS: "weakref.WeakKeyDictionary[Store, JobRunner]" = weakref.WeakKeyDictionary()
_RUNNERS_LOCK = threading.Lock()


def runner_for(store: Store) -> JobRunner:
    """The one runner of the app on `store` (the Evaluate and Models tabs share it, so only one job runs)."""
    with _RUNNERS_LOCK:
        runner = _RUNNERS.get(store)
        if runner is None:
            runner = _RUNNERS[store] = JobRunner(store)
        return runner
