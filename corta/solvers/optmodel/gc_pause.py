"""Pause Python's cyclic garbage collector around allocation-heavy, cycle-free work (validation, expansion).

Such work creates hundreds of thousands of small objects and no reference cycles, so the collector's passes only
cost time: on a model with 10⁴ variables they took about a third of the expansion.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector for the block; restore its previous state afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
