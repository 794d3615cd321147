"""What the fuzz tests share: their size and settings, the strategies for JSON-like data and its mutations, and the
check that only a parser's documented errors escape, with a count per target for `benchmarks/fuzz.py`.

`CORTA_FUZZ_EXAMPLES` sets the examples per test (a small default for CI; 10000 for the full run), and
`CORTA_FUZZ_REPORT` names a JSON file where the cases run and the unexpected exception types are written at exit.
"""

import atexit
import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("CORTA_FUZZ_EXAMPLES", "200"))
"""Examples per fuzz test."""

_cases: Counter[str] = Counter()
_unexpected: defaultdict[str, Counter[str]] = defaultdict(Counter)


def fuzz_settings(share: float = 1.0) -> settings:
    """Reproducible settings (derandomized, no deadline, no example database) for `share` of `EXAMPLES`.

    The too-slow health check is off: a case of the HTTP or LTI targets is a whole request, slow by design.
    """
    return settings(
        max_examples=max(1, int(EXAMPLES * share)),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


@contextmanager
def only(target: str, *documented: type[BaseException]) -> Iterator[None]:
    """Count one case of `target` and let only the `documented` errors end it; any other exception is recorded and
    re-raised, so that the test fails with it."""
    _cases[target] += 1
    try:
        yield
    except documented as error:
        assert str(error).strip(), f"{type(error).__name__} without a message"
    except Exception as error:
        _unexpected[target][f"{type(error).__module__}.{type(error).__qualname__}"] += 1
        raise


def count(target: str) -> None:
    """Count one case of `target` checked by other means than `only` (an HTTP response)."""
    _cases[target] += 1


def unexpected(target: str, kind: str) -> None:
    """Record a failure of `target` that is not an exception (a 500, a body that is not JSON)."""
    _unexpected[target][kind] += 1


def _write_report() -> None:
    path = os.environ.get("CORTA_FUZZ_REPORT")
    if path:
        report = {
            target: {"cases": n, "unexpected": dict(_unexpected[target])} for target, n in _cases.items()
        }
        Path(path).write_text(json.dumps(report, indent=1), encoding="utf-8")


atexit.register(_write_report)

BOUNDARIES = [0, -1, 2**31, 2**63, 10**9, 10**400, 1e308, float("inf"), float("nan"), "", "\x00", "~nobody/x"]
"""Values parsers get wrong: huge counts, integers no float holds, non-finite floats, NUL, a home folder."""
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(BOUNDARIES)
)
"""Any JSON scalar, NaN and infinities included (Python's json reads and writes them)."""
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
"""Any JSON document, small."""


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _paths(item, (*prefix, position))


def _replace(value: Any, path: tuple[Any, ...], change: Callable[[Any], Any]) -> Any:
    if not path:
        return change(value)
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], change)
    return copy


_DELETED = object()


def _drop_deleted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _drop_deleted(item) for key, item in value.items() if item is not _DELETED}
    if isinstance(value, list):
        return [_drop_deleted(item) for item in value if item is not _DELETED]
    return value


@st.composite
def mutated(draw: st.DrawFn, base: Any, replacements: st.SearchStrategy[Any] = json_values) -> Any:
    """`base` (a JSON document) with one to four of its values replaced, deleted, wrapped in a list, or given an extra
    key; the replacements are drawn from `replacements`."""
    value = base
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(value))
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["replace", "delete", "wrap", "extra", "stringify"]))
        if kind == "replace" or (not path and kind == "delete"):
            new = draw(replacements)
            value = _replace(value, path, lambda _old, new=new: new)
        elif kind == "delete":
            value = _drop_deleted(_replace(value, path, lambda _old: _DELETED))
        elif kind == "wrap":
            value = _replace(value, path, lambda old: [old])
        elif kind == "stringify":
            value = _replace(value, path, lambda old: str(old))
        else:
            key, new = draw(st.text(max_size=10)), draw(replacements)
            value = _replace(
                value, path, lambda old, key=key, new=new: {**old, key: new} if isinstance(old, dict) else old
            )
    return value


def spliced(tokens: list[str], max_size: int = 30) -> st.SearchStrategy[str]:
    """Texts made of `tokens` (a grammar's words and symbols) in random order, separated or not by a space."""
    return st.lists(st.tuples(st.sampled_from(tokens), st.sampled_from(["", " "])), max_size=max_size).map(
        lambda parts: "".join(token + space for token, space in parts)
    )


@st.composite
def edited(draw: st.DrawFn, text: str, pieces: st.SearchStrategy[str] | None = None) -> str:
    """`text` with one to five slices deleted, duplicated or replaced by up to three `pieces` (any characters when
    not given)."""
    pieces = st.text(max_size=4) if pieces is None else pieces
    for _ in range(draw(st.integers(1, 5))):
        start = draw(st.integers(0, len(text)))
        stop = draw(st.integers(start, min(len(text), start + 40)))
        kind = draw(st.sampled_from(["delete", "duplicate", "replace"]))
        if kind == "replace":
            middle = "".join(draw(st.lists(pieces, max_size=3)))
        else:
            middle = "" if kind == "delete" else text[start:stop] * 2
        text = text[:start] + middle + text[stop:]
    return text
