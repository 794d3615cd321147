"""The API under load: concurrent streaming chats through corta's `/v1/chat/completions` (model `corta-llm`) against
the same chats sent straight to the LLM endpoint behind it, in the same run.

The LLM is a stub (tests/helpers/streaming_stub_server.py) that streams fixed tokens at a fixed pace, so the numbers
measure the API, not a model. Each request carries a unique marker; a reply counts only if it is exactly its own
marker followed by every token, so a lost, cut or mixed-up message is counted, not hidden. The two sides alternate
round by round so that load drifts hit both. Prints p50/p99 of time to first token and of total latency per side,
and the latency corta adds (corta minus direct, and corta / direct); writes docs/results/api/api_load.{json,md,png}.

    .venv/bin/python benchmarks/api_load.py [--concurrency 50] [--rounds 10] [--tokens 32] [--delay-s 0.02]
"""

import argparse
import asyncio
import json
import os
import shlex
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "results" / "api"
sys.path.insert(0, str(ROOT))  # the stub's own definition of a whole reply, to check every reply against

from benchmarks.served_api import served_api  # noqa: E402
from tests.helpers.streaming_stub_server import expected_reply  # noqa: E402


@dataclass(frozen=True)
class Sample:
    """One streamed chat: which side, its round, time to first token, total time, and whether the reply was whole."""

    side: str
    round: int
    ttft_s: float
    total_s: float
    whole: bool
    error: str = ""


async def one_chat(
    client: httpx.AsyncClient,
    url: str,
    model: str,
    side: str,
    round: int,
    tokens: int,
    headers: dict[str, str],
) -> Sample:
    marker = f"{side}-{round}-{uuid.uuid4().hex[:12]}"
    body = {
        "model": model,
        "stream": True,
        "messages": [{"role": "user", "content": f"Go [marker:{marker}]"}],
    }
    text, first = "", None
    started = time.perf_counter()
    try:
        async with client.stream("POST", url, json=body, headers=headers) as reply:
            if reply.status_code != 200:
                return Sample(side, round, 0.0, 0.0, False, f"HTTP {reply.status_code}")
            async for line in reply.aiter_lines():
                if not line.startswith("data: {"):
                    continue
                delta = json.loads(line[6:])["choices"][0]["delta"].get("content")
                if delta:
                    first = first if first is not None else time.perf_counter()
                    text += delta
    except httpx.HTTPError as error:
        return Sample(side, round, 0.0, 0.0, False, f"{type(error).__name__}: {error}")
    total = time.perf_counter() - started
    whole = text == expected_reply(marker, tokens)
    return Sample(
        side, round, (first or started) - started, total, whole, "" if whole else f"got {text[:80]!r}"
    )


async def run_rounds(
    sides: dict[str, tuple[str, str, dict[str, str]]], concurrency: int, rounds: int, tokens: int
) -> list[Sample]:
    samples: list[Sample] = []
    limits = httpx.Limits(max_connections=4 * concurrency, max_keepalive_connections=4 * concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        for name, (url, model, headers) in sides.items():  # warm-up, not counted: connections, first requests
            await asyncio.gather(
                *(one_chat(client, url, model, name, -1, tokens, headers) for _ in range(concurrency))
            )
        for round in range(rounds):
            order = list(sides) if round % 2 == 0 else list(reversed(sides))
            for name in order:
                url, model, headers = sides[name]
                batch = [
                    one_chat(client, url, model, name, round, tokens, headers) for _ in range(concurrency)
                ]
                samples += await asyncio.gather(*batch)
    return samples


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux), all its threads together."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentiles(values: list[float]) -> dict[str, float]:
    return {"p50": float(np.percentile(values, 50)), "p99": float(np.percentile(values, 99))}


def plot(samples: list[Sample], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for axis, field, label in (
        (axes[0], "ttft_s", "time to first token (ms)"),
        (axes[1], "total_s", "total (ms)"),
    ):
        for side, colour in (("direct", "tab:blue"), ("corta", "tab:orange")):
            values = np.sort([getattr(s, field) * 1000 for s in samples if s.side == side and s.whole])
            axis.step(
                values, np.arange(1, len(values) + 1) / len(values), where="post", color=colour, label=side
            )
        axis.set_xlabel(label)
        axis.set_ylabel("fraction of chats")
        axis.grid(alpha=0.3)
        axis.legend(loc="lower right")
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", type=int, default=50, help="Chats streamed at once, per side.")
    parser.add_argument("--rounds", type=int, default=10, help="Batches per side (the sides alternate).")
    parser.add_argument("--tokens", type=int, default=32, help="Tokens per reply (after the marker).")
    parser.add_argument("--delay-s", type=float, default=0.02, help="The stub's pause before each token.")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--note", default="", help="What else ran on the machine, for the report.")
    options = parser.parse_args()
    command = "python benchmarks/api_load.py " + shlex.join(sys.argv[1:])

    stub_options = ["--tokens", str(options.tokens), "--delay-s", str(options.delay_s)]
    with served_api(stub_options, ["api-load"]) as served:
        load_before = os.getloadavg()
        stub_cpu, api_cpu = cpu_seconds(served.stub.pid), cpu_seconds(served.api.pid)
        started = time.perf_counter()
        sides = {
            "direct": (f"{served.stub_url}/v1/chat/completions", "stream-stub", {}),
            "corta": (
                f"{served.api_url}/v1/chat/completions",
                "corta-llm",
                {"Authorization": f"Bearer {served.keys[0]}"},
            ),
        }
        samples = asyncio.run(run_rounds(sides, options.concurrency, options.rounds, options.tokens))
        wall_s = time.perf_counter() - started
        load_after = os.getloadavg()
        # Both servers also served the warm-up batches: per chat, count those too.
        chats = 2 * options.concurrency * (options.rounds + 1)
        cpu_ms_per_chat = {
            "stub (both sides)": (cpu_seconds(served.stub.pid) - stub_cpu) * 1000 / chats,
            "corta": (cpu_seconds(served.api.pid) - api_cpu) * 1000 / (chats / 2),
        }

    summary: dict[str, dict] = {}
    for side in ("direct", "corta"):
        mine = [s for s in samples if s.side == side]
        whole = [s for s in mine if s.whole]
        summary[side] = {
            "chats": len(mine),
            "whole": len(whole),
            "lost_or_mixed": len(mine) - len(whole),
            "ttft_s": percentiles([s.ttft_s for s in whole]),
            "total_s": percentiles([s.total_s for s in whole]),
        }
    added = {
        field: {
            q: {
                "seconds": summary["corta"][field][q] - summary["direct"][field][q],
                "ratio": summary["corta"][field][q] / summary["direct"][field][q],
            }
            for q in ("p50", "p99")
        }
        for field in ("ttft_s", "total_s")
    }
    machine = {
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "python": sys.version.split()[0],
    }
    record = {
        "command": command,
        "options": {**vars(options), "out": os.path.relpath(options.out, ROOT)},
        "machine": machine,
        "wall_s": wall_s,
        "cpu_ms_per_chat": cpu_ms_per_chat,
        "summary": summary,
        "added": added,
        "failures": [asdict(s) for s in samples if not s.whole][:20],
    }
    out: Path = options.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "api_load.json").write_text(json.dumps(record, indent=1) + "\n")
    title = (
        f"{options.concurrency} concurrent streams x {options.rounds} rounds, "
        f"{options.tokens} tokens every {options.delay_s * 1000:.0f} ms"
    )
    plot(samples, out / "api_load.png", title)
    (out / "api_load.md").write_text(report(record, title))
    for side in ("direct", "corta"):
        s = summary[side]
        print(
            f"{side:7s} {s['whole']}/{s['chats']} whole; TTFT p50 {ms(s['ttft_s']['p50'])} p99 {ms(s['ttft_s']['p99'])}; "
            f"total p50 {ms(s['total_s']['p50'])} p99 {ms(s['total_s']['p99'])}"
        )
    for field, label in (("ttft_s", "TTFT"), ("total_s", "total")):
        a = added[field]
        print(
            f"added {label:5s} p50 {ms(a['p50']['seconds'])} (x{a['p50']['ratio']:.2f}); "
            f"p99 {ms(a['p99']['seconds'])} (x{a['p99']['ratio']:.2f})"
        )
    print(
        f"CPU per chat: corta server {record['cpu_ms_per_chat']['corta']:.1f} ms, "
        f"stub {record['cpu_ms_per_chat']['stub (both sides)']:.1f} ms"
    )
    print(f"report: {out / 'api_load.md'}")
    if any(summary[side]["lost_or_mixed"] for side in summary):
        raise SystemExit(1)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def report(record: dict, title: str) -> str:
    summary, added, machine = record["summary"], record["added"], record["machine"]
    rows = "\n".join(
        f"| {side} | {s['whole']}/{s['chats']} | {ms(s['ttft_s']['p50'])} | {ms(s['ttft_s']['p99'])} | "
        f"{ms(s['total_s']['p50'])} | {ms(s['total_s']['p99'])} |"
        for side, s in summary.items()
    )
    extra = "\n".join(
        f"| {label} | {ms(added[field]['p50']['seconds'])} | x{added[field]['p50']['ratio']:.3f} | "
        f"{ms(added[field]['p99']['seconds'])} | x{added[field]['p99']['ratio']:.3f} |"
        for field, label in (("ttft_s", "time to first token"), ("total_s", "total"))
    )
    return f"""# API under load: corta's /v1/chat/completions vs the LLM endpoint directly

`{record["command"]}`: {title}; both sides in the same run, alternating round by round, through one asyncio + httpx \
client. The LLM is the streaming stub (`tests/helpers/streaming_stub_server.py`), so the difference is the API's own \
cost: key check, body limit, request validation, corta's LLM client in a thread per stream, and each piece \
re-encoded as an OpenAI chunk.

Machine: {machine["cpus"]} CPUs, load average {machine["load_average_before"]} before and \
{machine["load_average_after"]} after{"; " + record["options"]["note"] if record["options"]["note"] else ""}. \
Wall time {record["wall_s"]:.1f} s.

| side | whole replies | TTFT p50 | TTFT p99 | total p50 | total p99 |
|---|---|---|---|---|---|
{rows}

Every reply was checked to be exactly its own marker followed by all its tokens; lost, cut or mixed-up replies: \
{summary["corta"]["lost_or_mixed"]} through corta, {summary["direct"]["lost_or_mixed"]} direct.

Added by corta (corta minus direct, and corta / direct, at each percentile):

| latency | p50 added | p50 ratio | p99 added | p99 ratio |
|---|---|---|---|---|
{extra}

CPU time per streamed chat ({record["options"]["tokens"] + 1} pieces, warm-up included): corta's server \
{record["cpu_ms_per_chat"]["corta"]:.1f} ms, the stub {record["cpu_ms_per_chat"]["stub (both sides)"]:.1f} ms. \
With every chat streaming at once, the added latency is that CPU time queueing for the machine's cores.

![latency distributions](api_load.png)
"""


if __name__ == "__main__":
    main()
