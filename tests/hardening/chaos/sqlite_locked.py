"""The app's SQLite store locked by another process: a write waits the store's busy timeout, then fails with one
sentence (a 503 through the API) having written nothing, and succeeds once the lock is released.

The lock is real: a second Python process opens the same file and holds `BEGIN EXCLUSIVE` until told to commit. The
unit of `lost` and `doubled` is a question-and-answer pair of messages; `corrupt` counts messages stored without their
pair (a question kept without its answer).
"""

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Self

import httpx

from corta.agents.tutor.agent import Tutor
from corta.app.api import create_app
from corta.app.services import AgentServices
from corta.app.store import Store
from corta.config import Settings
from corta.errors import CortaError, StoreBusyError
from corta.models.runtime.endpoint import Endpoint
from tests.agents.tutor.scripted import FixedRetriever, Script
from tests.app.api.harness import live_server
from tests.hardening.chaos.outcome import Outcome, one_sentence
from tests.helpers.stub_openai_server import StubServer

_HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
for command in sys.stdin:
    connection.execute("BEGIN EXCLUSIVE" if command.strip() == "lock" else "COMMIT")
    print("done", flush=True)
"""
QUESTION = "How do default arguments work?"


class WriteLock:
    """Another process holding SQLite's write lock on `path` between `take()` and `release()`."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.held = False

    def _tell(self, command: str) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        if self.process.stdout.readline().strip() != "done":
            raise RuntimeError(f"the lock holder failed to {command}")

    def take(self) -> None:
        """Begin an exclusive transaction in the other process; return once it holds the lock."""
        self._tell("lock")
        self.held = True

    def release(self) -> None:
        """Commit the other process's (empty) transaction."""
        self._tell("release")
        self.held = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.held:
            self.release()
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def count_pairs(outcome: Outcome, store: Store, pairs_wanted: int) -> None:
    """Check every conversation's messages alternate question, answer: an unpaired message is corrupt; pairs beyond
    or short of `pairs_wanted` (all conversations together) are doubled or lost."""
    pairs = 0
    for conversation in store.conversations(limit=500):
        roles = [message.role for message in store.messages(conversation.id)]
        complete = 0
        while roles[2 * complete : 2 * complete + 2] == ["user", "assistant"]:
            complete += 1
        outcome.corrupt += len(roles) - 2 * complete
        pairs += complete
    outcome.lost += max(0, pairs_wanted - pairs)
    outcome.doubled += max(0, pairs - pairs_wanted)
    if pairs != pairs_wanted or outcome.corrupt:
        outcome.fail(f"the store holds {pairs} whole question-and-answer pairs, not {pairs_wanted}")


def _check_wait(outcome: Outcome, started: float, busy_timeout_s: float) -> None:
    waited = time.monotonic() - started
    if not busy_timeout_s * 0.9 <= waited <= busy_timeout_s + 10:
        outcome.fail(f"the write gave up after {waited:.2f} s, not about {busy_timeout_s} s")


def store_locked(workdir: Path, busy_timeout_s: float = 0.5) -> Outcome:
    """`Store` itself: a new conversation and a question-and-answer pair written while another process holds the
    lock fail with one `StoreBusyError` sentence after the busy timeout, and go through once it is released."""
    outcome = Outcome()
    store = Store(workdir / "store.sqlite", busy_timeout_s)
    pair: list[tuple[str, str, dict[str, Any]]] = [("user", QUESTION, {}), ("assistant", "Like this.", {})]
    try:
        conversation = store.create_conversation("tutor", "defaults")
        with WriteLock(store.path) as lock:
            lock.take()
            for write in (
                lambda: store.add_messages(conversation.id, pair),
                lambda: store.create_conversation("tutor", "another"),
            ):
                started = time.monotonic()
                try:
                    write()
                    outcome.fail("a write went through while another process held the lock")
                except StoreBusyError as error:
                    _check_wait(outcome, started, busy_timeout_s)
                    outcome.sentences += one_sentence(str(error))
                    if not one_sentence(str(error)):
                        outcome.fail(f"the error is not one sentence: {error}")
            if len(store.conversations()) != 1:
                outcome.fail("a conversation was created while the store was locked")
            count_pairs(outcome, store, 0)
            lock.release()
            store.add_messages(conversation.id, pair)
        count_pairs(outcome, store, 1)
    except CortaError as error:
        outcome.fail(f"a write failed after the lock was released: {error}")
    except Exception as error:  # the scenario's edge: anything else would reach the user as a traceback
        outcome.tracebacks += 1
        outcome.fail(f"{type(error).__name__}: {error}")
    finally:
        store.close()
    return outcome


def api_locked(workdir: Path, busy_timeout_s: float = 0.5, mid_turn: bool = False) -> Outcome:
    """`POST /api/tutor/ask` on uvicorn while another process holds the store's lock: from before the request
    (the new conversation cannot be created), or, with `mid_turn`, taken when the tutor first asks its LLM (its memory
    and the messages cannot be saved). Expected: a 503 `store_busy` sentence after about the busy timeout, no
    message without its pair, and the same question answered and stored once the lock is released."""
    outcome = Outcome()
    store = Store(workdir / "store.sqlite", busy_timeout_s)
    script = Script()
    with WriteLock(store.path) as lock:
        taken = threading.Event()

        def answer(body: dict[str, Any]) -> str:
            if mid_turn and not taken.is_set():
                taken.set()
                lock.take()
            return script(body)

        with StubServer(responder=answer) as stub:
            services = AgentServices(
                Settings(cache_dir=workdir / "cache"), Endpoint(stub.base_url, stub.model), store
            )
            services.tutor = Tutor(services.llm, FixedRetriever(), store.checkpointer())
            with live_server(create_app(services)) as url, httpx.Client(base_url=url, timeout=60) as client:
                if not mid_turn:
                    lock.take()
                started = time.monotonic()
                response = client.post("/api/tutor/ask", json={"message": QUESTION})
                _check_answer(outcome, response, 503)
                _check_wait(outcome, started, busy_timeout_s)
                count_pairs(outcome, store, 0)
                lock.release()
                conversations = store.conversations()
                again = {"message": QUESTION, "conversation": conversations[0].id} if conversations else {}
                response = client.post("/api/tutor/ask", json={"message": QUESTION, **again})
                _check_answer(outcome, response, 200)
    count_pairs(outcome, store, 1)
    store.close()
    return outcome


def _check_answer(outcome: Outcome, response: httpx.Response, status: int) -> None:
    if "Traceback" in response.text:
        outcome.tracebacks += 1
    if response.status_code != status:
        outcome.fail(f"the API answered {response.status_code}, not {status}: {response.text[:300]}")
        return
    if status == 503:
        error = response.json().get("error", {})
        if error.get("code") != "store_busy" or not one_sentence(error.get("message", "")):
            outcome.fail(f"the 503 is not one store_busy sentence: {error}")
        else:
            outcome.sentences += 1
