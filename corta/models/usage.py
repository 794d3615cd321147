"""The usage ledger: every LLM call's tokens, latency and purpose, so efficiency is measured everywhere."""

import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class CallUsage:
    """One request to the model."""

    purpose: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    ok: bool = True

    @property
    def tokens_per_s(self) -> float:
        """Completion tokens per second of wall time for the whole call."""
        return self.completion_tokens / self.latency_s if self.latency_s > 0 else 0.0


@dataclass
class UsageLedger:
    """Thread-safe list of calls of one run, optionally appended to a JSONL file as they happen.

    A long-running server sets `keep`: memory then holds between `keep` and twice `keep` of the newest calls (the
    file, if any, still gets every call), and the totals are those of the calls held.
    """

    path: Path | None = None
    calls: list[CallUsage] = field(default_factory=list)
    keep: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, usage: CallUsage) -> None:
        """Add one call (and append it to the file, if any)."""
        with self._lock:
            self.calls.append(usage)
            if self.keep is not None and len(self.calls) > 2 * self.keep:
                del self.calls[: -self.keep]
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a") as handle:
                    handle.write(json.dumps(asdict(usage)) + "\n")

    def summary(self) -> dict[str, float | int]:
        """Totals of the run: calls, tokens, latency."""
        with self._lock:
            calls = list(self.calls)
        return {
            "calls": len(calls),
            "failed_calls": sum(not call.ok for call in calls),
            "prompt_tokens": sum(call.prompt_tokens for call in calls),
            "completion_tokens": sum(call.completion_tokens for call in calls),
            "latency_s": round(sum(call.latency_s for call in calls), 3),
        }

    def by_purpose(self) -> dict[str, dict[str, float | int]]:
        """Calls, tokens and latency per purpose (e.g. 'expand-L1', 'prm', 'reflect')."""
        totals: dict[str, dict[str, float | int]] = {}
        with self._lock:
            calls = list(self.calls)
        for call in calls:
            entry = totals.setdefault(
                call.purpose, {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "latency_s": 0.0}
            )
            entry["calls"] += 1
            entry["prompt_tokens"] += call.prompt_tokens
            entry["completion_tokens"] += call.completion_tokens
            entry["latency_s"] = round(entry["latency_s"] + call.latency_s, 3)
        return totals
