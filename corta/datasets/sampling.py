"""Seeded samples of benchmark items that are the same on every machine and nest as they grow."""

import hashlib
from collections.abc import Sequence
from typing import Protocol, TypeVar

from corta.errors import ConfigError


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


ItemT = TypeVar("ItemT", bound=_HasId)


def sample(items: Sequence[ItemT], n: int, seed: int = 0) -> list[ItemT]:
    """`n` of `items` chosen by `seed`, in their original order; all of them when there are fewer.

    The choice ranks ids by a hash of (seed, id), so it is the same on every run and Python version, does not
    depend on the order of `items`, and a smaller sample is part of a larger one with the same seed.

    Raises
    ------
    ConfigError
        If `n` is negative.
    """
    if n < 0:
        raise ConfigError(f"Cannot sample {n} items; the sample size must be at least 0.")
    ranked = sorted(
        range(len(items)),
        key=lambda position: hashlib.sha256(f"{seed}:{items[position].id}".encode()).digest(),
    )
    return [items[position] for position in sorted(ranked[:n])]
