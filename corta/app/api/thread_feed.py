"""Blocking work (an LLM stream, an agent's turn) in its own thread, its items handed to the event loop as they
come, so that one slow request never holds up the others.

Each feed has its own thread, not one of a shared pool: fifty streams waiting on their next token are fifty threads
asleep on a socket, and a pool's limit would queue the fifty-first behind them.
"""

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
HEARTBEAT: Any = object()
"""What a feed yields when the work has said nothing for `heartbeat_s` (a stream sends a keep-alive then)."""
_ITEM, _END, _ERROR = range(3)


class ConsumerGone(Exception):
    """Raised in the work's thread by `emit` once nobody reads the feed any more, which ends the work (work that
    must finish anyway, like a tutor turn that is recorded, suppresses it)."""


class _Channel(Generic[T]):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[tuple[int, Any]] = asyncio.Queue()
        self.closed = threading.Event()

    def put(self, kind: int, value: Any) -> None:
        if self.closed.is_set():
            raise ConsumerGone
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, (kind, value))
        except RuntimeError:  # the event loop is closed: the server is stopping
            raise ConsumerGone from None


async def feed_from_thread(
    work: Callable[[Callable[[T], None]], None], heartbeat_s: float | None = None
) -> AsyncIterator[list[T]]:
    """Run `work(emit)` in a new thread and yield what it emits, in order, in batches: each batch holds every item
    that arrived while the consumer was busy (one write for many pieces when the loop falls behind). The work's
    exception is raised here, after the items emitted before it.

    When the consumer stops early (a client disconnected), the work's next `emit` raises and so ends it.
    """
    channel: _Channel[T] = _Channel(asyncio.get_running_loop())

    def run() -> None:
        try:
            work(lambda item: channel.put(_ITEM, item))
            channel.put(_END, None)
        except ConsumerGone:
            return
        except Exception as error:  # handed over: the consumer raises it
            try:
                channel.put(_ERROR, error)
            except ConsumerGone:
                return

    threading.Thread(target=run, name="corta-feed", daemon=True).start()
    try:
        while True:
            if heartbeat_s is None:
                kind, value = await channel.queue.get()
            else:
                try:
                    kind, value = await asyncio.wait_for(channel.queue.get(), heartbeat_s)
                except TimeoutError:
                    yield HEARTBEAT
                    continue
            batch: list[T] = []
            while kind == _ITEM:
                batch.append(value)
                if channel.queue.empty():
                    break
                kind, value = channel.queue.get_nowait()
            if batch:
                yield batch
            if kind == _END:
                return
            if kind == _ERROR:
                raise value
    finally:
        channel.closed.set()
