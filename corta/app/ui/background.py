"""Run a long call in a thread and watch its steps from a Gradio generator: each step it reports is yielded as it
happens, then its result is returned (or its exception raised) in the caller's thread."""

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

Result = TypeVar("Result")
StepCallback = Callable[[str], None]

_DONE = object()


class BackgroundCall(Generic[Result]):
    """`work(on_step)` started in a daemon thread; `steps()` yields what it reports, `result()` is what it returned."""

    def __init__(self, work: Callable[[StepCallback], Result]) -> None:
        self._work = work
        self._steps: queue.Queue[object] = queue.Queue()
        self._result: Result | None = None
        self._raised: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def steps(self) -> Iterator[str]:
        """The steps reported so far and to come, until the call ends."""
        while (step := self._steps.get()) is not _DONE:
            yield str(step)

    def result(self) -> Result:
        """What the call returned, once it has ended; the exception it raised is raised here."""
        self._thread.join()
        if self._raised is not None:
            raise self._raised
        return self._result  # type: ignore[return-value]

    def _run(self) -> None:
        try:
            self._result = self._work(self._steps.put)
        except BaseException as error:  # handed to the caller's thread by result(), not handled here
            self._raised = error
        finally:
            self._steps.put(_DONE)
