"""The API soaked (issue 10): N simulated users for D seconds against `corta serve` on the streaming stub LLM, each
in a loop of tutor turns in persistent conversations (`POST /api/tutor/ask`, which stores the message and the reply)
and streamed `corta-llm` chats (checked whole as in api_load.py), with a short pause between requests.

The stub (tests/helpers/streaming_stub_server.py --tutor) streams fixed tokens and answers the tutor's structured
requests from its test script, each draft carrying the learner's marker; the tutor searches a two-file course built
into a temporary knowledge base. Measured: requests, error rate (non-2xx, a broken or foreign reply, a timeout) and
p50/p99 latency per kind; the server's RSS, threads and open files each second (growth after a warm-up, and a
fitted slope); and, read back from the store at the end, every message sent and every reply received, each of
which must be stored exactly once and in order (lost, duplicated and mixed-up counted apart). Writes
soak.{md,json,png} under --out.

    .venv/bin/python benchmarks/api_soak.py [--users 50] [--duration-s 300] [--out DIR] [--note TEXT]
"""

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "results" / "hardening"
sys.path.insert(0, str(ROOT))  # run as a script: the benchmarks and test helpers it reuses, by package

from benchmarks.api_load import cpu_seconds, ms, one_chat, percentiles  # noqa: E402
from benchmarks.served_api import ServedApi, served_api  # noqa: E402

TOKENS, DELAY_S = 16, 0.02
"""The stub's replies: tokens per streamed chat, and the pause before each (a tutor call waits the same in all)."""
TUTOR_SHARE = 0.5
TURNS_PER_CONVERSATION = 10
"""Then a user starts a new conversation, as a student starts a new session."""
THINK_S = 1.0
"""A user pauses a random time up to this between requests."""
TIMEOUT_S = 60.0
QUESTIONS = (
    "What is a default argument?",
    "How do I add an item at the end of a list?",
    "Why does my loop never stop?",
    "What does a dictionary's get method return?",
)
COURSE = {
    "functions.md": "# Functions\n\n## Default argument values\n\nA parameter can have a default: "
    "`def greet(name, greeting='Hello')`. The default is evaluated once, when the function is defined.\n",
    "collections.md": "# Collections\n\n## Lists\n\n`items.append(x)` adds x at the end of the list `items`.\n\n"
    "## Dictionaries\n\n`ages.get(name)` is the value for name, or None when name is not a key.\n",
    "loops.md": "# Loops\n\n## while\n\nA `while` loop runs as long as its condition is true: change something the "
    "condition reads inside the loop, or it never stops.\n",
}
"""The course the tutor cites (a few chunks: built in seconds)."""
SOAK_MARKER = re.compile(r"u\d+-\d+-[0-9a-f]{8}")
Message = tuple[str, str]
"""(role, content), as the store keeps it."""


@dataclass(frozen=True)
class Request:
    """One request: its kind (tutor | chat), when it started (seconds into the soak), how long it took, and what
    went wrong ("" when nothing)."""

    kind: str
    user: int
    at_s: float
    latency_s: float
    error: str = ""


@dataclass(frozen=True)
class Sample:
    """The server process each second: resident memory, threads, open file descriptors and CPU time used so far."""

    at_s: float
    rss_mb: float
    threads: int
    fds: int
    cpu_s: float


@dataclass
class Tally:
    """What the users did as they saw it, from `started` (a perf_counter time): their requests, the server's samples,
    per conversation the messages answered (in order) and its owner, and the markers of turns that got no answer."""

    started: float
    requests: list[Request] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    sent: dict[str, list[Message]] = field(default_factory=dict)
    owner: dict[str, int] = field(default_factory=dict)
    unanswered: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class StoreCheck:
    """Every answered message against the store: missing, stored more than once, or out of place (out of order, or a
    message the conversation was never sent); messages of unanswered turns found stored are counted, not judged."""

    conversations: int
    messages: int
    lost: int
    duplicated: int
    mixed_up: int
    stored_unanswered: int


def server_sample(pid: int, at_s: float) -> Sample:
    """The process's RSS and threads (from /proc/PID/status), its open file descriptors and CPU time (Linux)."""
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    rss_mb = int(status["VmRSS"].split()[0]) / 1024
    return Sample(at_s, rss_mb, int(status["Threads"]), len(os.listdir(f"/proc/{pid}/fd")), cpu_seconds(pid))


def build_course(folder: Path) -> Path:
    """The course written into `folder` and built into `folder/index` by `corta index build`; returns the index."""
    course = folder / "course"
    course.mkdir()
    for name, text in COURSE.items():
        (course / name).write_text(text, encoding="utf-8")
    index = folder / "index"
    env = {**os.environ, "CORTA_CACHE_DIR": str(folder / "cache")}
    command = [sys.executable, "-m", "corta.cli", "index", "build", "--source", f"course={course}"]
    built = subprocess.run(
        [*command, "--index-dir", str(index)], env=env, capture_output=True, text=True, timeout=600
    )
    if built.returncode != 0:
        raise SystemExit(f"corta index build failed: {built.stderr}")
    return index


async def ask_tutor(
    client: httpx.AsyncClient, served: ServedApi, user: int, conversation: str | None, turn: int, tally: Tally
) -> str | None:
    """One tutor turn in `conversation` (a new one when None), recorded in `tally`; the conversation it went to."""
    marker = f"u{user}-{turn}-{uuid.uuid4().hex[:8]}"
    question = f"{QUESTIONS[turn % len(QUESTIONS)]} [marker:{marker}]"
    started = time.perf_counter()
    try:
        reply = await client.post(
            f"{served.api_url}/api/tutor/ask",
            json={"message": question, "conversation": conversation},
            headers={"Authorization": f"Bearer {served.keys[user]}"},
        )
        body = reply.json() if reply.status_code == 200 else {}
        error = "" if body else f"HTTP {reply.status_code}"
        if body and not body["answer"].startswith(f"<{marker}>"):
            error = f"the reply to another message: {body['answer'][:40]!r}"
    except httpx.HTTPError as failure:
        error, body = f"{type(failure).__name__}: {failure}", {}
    tally.requests.append(
        Request("tutor", user, started - tally.started, time.perf_counter() - started, error)
    )
    if error:
        tally.unanswered.add(marker)
        return conversation
    tally.owner[body["conversation"]] = user
    tally.sent.setdefault(body["conversation"], []).extend(
        [("user", question), ("assistant", body["answer"])]
    )
    return body["conversation"]


async def stream_chat(client: httpx.AsyncClient, served: ServedApi, user: int, tally: Tally) -> None:
    """One streamed `corta-llm` chat, recorded in `tally`; an error unless its reply arrived whole."""
    started = time.perf_counter()
    url, headers = f"{served.api_url}/v1/chat/completions", {"Authorization": f"Bearer {served.keys[user]}"}
    chat = await one_chat(client, url, "corta-llm", f"u{user}", 0, TOKENS, headers)
    tally.requests.append(
        Request("chat", user, started - tally.started, time.perf_counter() - started, chat.error)
    )


async def user_session(
    client: httpx.AsyncClient, served: ServedApi, user: int, deadline: float, think_s: float, tally: Tally
) -> None:
    """One user until `deadline`: tutor turns and chats at random (seeded by the user), a pause after each."""
    rng = random.Random(user)
    conversation, turns = None, 0
    for request in itertools.count():
        if time.perf_counter() >= deadline:
            return
        if rng.random() < TUTOR_SHARE:
            if turns == TURNS_PER_CONVERSATION:
                conversation, turns = None, 0
            conversation = await ask_tutor(client, served, user, conversation, request, tally)
            turns += 1
        else:
            await stream_chat(client, served, user, tally)
        await asyncio.sleep(rng.uniform(0, think_s))


async def watch_server(pid: int, tally: Tally, bar: tqdm) -> None:
    """Sample the server each second and show the progress, until cancelled."""
    while True:
        tally.samples.append(server_sample(pid, time.perf_counter() - tally.started))
        bar.n = min(round(tally.samples[-1].at_s), bar.total)
        errors = sum(1 for r in tally.requests if r.error)
        bar.set_postfix(requests=len(tally.requests), errors=errors)
        await asyncio.sleep(1.0)


async def read_back(
    client: httpx.AsyncClient, served: ServedApi, users: int, tally: Tally
) -> dict[str, list[Message]]:
    """Every conversation of every user as the store holds it: those each user's key lists, and those it was told of."""
    gate = asyncio.Semaphore(16)
    stored: dict[str, list[Message]] = {}

    async def read(user: int, conversation: str) -> None:
        headers = {"Authorization": f"Bearer {served.keys[user]}"}
        async with gate:
            reply = await client.get(f"{served.api_url}/api/conversations/{conversation}", headers=headers)
        messages = reply.json()["messages"] if reply.status_code == 200 else []
        stored[conversation] = [(m["role"], m["content"]) for m in messages]

    reads = []
    for user in range(users):
        headers = {"Authorization": f"Bearer {served.keys[user]}"}
        listed = await client.get(f"{served.api_url}/api/conversations?limit=500", headers=headers)
        listed.raise_for_status()
        known = {c for c, owner in tally.owner.items() if owner == user}
        reads += [read(user, c) for c in known | {c["id"] for c in listed.json()}]
    await asyncio.gather(*reads)
    return stored


async def run_users(
    served: ServedApi, users: int, duration_s: float, think_s: float, progress: bool
) -> tuple[Tally, dict[str, list[Message]]]:
    """A warm-up turn and chat (not counted: the first turn loads the knowledge base and its embedder), then the
    users until `duration_s` has passed; what they did and what the store holds."""
    limits = httpx.Limits(max_connections=2 * users + 2, max_keepalive_connections=2 * users + 2)
    async with httpx.AsyncClient(limits=limits, timeout=TIMEOUT_S) as client:
        warm = Tally(time.perf_counter())
        async with httpx.AsyncClient(timeout=600) as patient:
            await ask_tutor(patient, served, users, None, 0, warm)
            await stream_chat(patient, served, users, warm)
        if any(r.error for r in warm.requests):
            raise SystemExit(f"the warm-up failed: {[r.error for r in warm.requests]}")
        tally = Tally(time.perf_counter())
        deadline = tally.started + duration_s
        bar_format = "{desc}: {bar} {n}/{total} s{postfix}"
        with tqdm(
            total=round(duration_s), desc=f"{users} users", bar_format=bar_format, disable=not progress
        ) as bar:
            watcher = asyncio.create_task(watch_server(served.api.pid, tally, bar))
            await asyncio.gather(
                *(user_session(client, served, u, deadline, think_s, tally) for u in range(users))
            )
            watcher.cancel()
        tally.samples.append(server_sample(served.api.pid, time.perf_counter() - tally.started))
        return tally, await read_back(client, served, users, tally)


def check_store(
    sent: dict[str, list[Message]], stored: dict[str, list[Message]], unanswered: set[str]
) -> StoreCheck:
    """Each conversation's answered messages against what the store holds for it (see `StoreCheck`)."""
    lost = duplicated = mixed_up = stored_unanswered = 0
    for conversation in sent.keys() | stored.keys():
        expected, found = sent.get(conversation, []), []
        for message in stored.get(conversation, []):
            marker = SOAK_MARKER.search(message[1])
            if marker is not None and marker.group() in unanswered:
                stored_unanswered += 1
            else:
                found.append(message)
        counts, wanted = Counter(found), set(expected)
        lost += sum(1 for m in expected if counts[m] == 0)
        duplicated += sum(counts[m] - 1 for m in wanted if counts[m] > 1)
        mixed_up += sum(1 for m in found if m not in wanted)
        in_order = [m for m in expected if counts[m]]
        as_stored = list(dict.fromkeys(m for m in found if m in wanted))
        mixed_up += sum(a != b for a, b in zip(as_stored, in_order, strict=True))
    messages = sum(len(m) for m in sent.values())
    return StoreCheck(len(sent), messages, lost, duplicated, mixed_up, stored_unanswered)


def request_stats(requests: list[Request]) -> dict[str, Any]:
    """Count, errors, error rate and p50/p99 latency of the requests that succeeded."""
    ok = [r.latency_s for r in requests if not r.error]
    errors = len(requests) - len(ok)
    latency = percentiles(ok) if ok else {"p50": float("nan"), "p99": float("nan")}
    return {
        "requests": len(requests),
        "errors": errors,
        "error_rate": errors / max(len(requests), 1),
        **latency,
    }


def memory_growth(samples: list[Sample], warmup_s: float) -> dict[str, Any]:
    """RSS at the first sample after `warmup_s` and at the end, its max, growth (MB, MB/min) and fitted slope."""
    after = [s for s in samples if s.at_s >= warmup_s] or samples[-1:]
    first, last = after[0], after[-1]
    minutes = (last.at_s - first.at_s) / 60
    slope = (
        np.polyfit([s.at_s / 60 for s in after], [s.rss_mb for s in after], 1)[0] if len(after) > 2 else 0.0
    )
    growth = last.rss_mb - first.rss_mb
    return {
        "warmup_s": warmup_s,
        "start_mb": first.rss_mb,
        "end_mb": last.rss_mb,
        "max_mb": max(s.rss_mb for s in samples),
        "growth_mb": growth,
        "growth_mb_per_min": growth / minutes if minutes else 0.0,
        "slope_mb_per_min": float(slope),
        "threads": {"start": first.threads, "end": last.threads, "max": max(s.threads for s in samples)},
        "fds": {"start": first.fds, "end": last.fds, "max": max(s.fds for s in samples)},
    }


def timeline(requests: list[Request], duration_s: float) -> dict[str, Any]:
    """Per kind and per time bin (about 60 bins): requests, errors, p50 and p99 latency of those that succeeded."""
    bin_s = max(1.0, duration_s / 60)
    bins: dict[str, list[dict[str, Any]]] = {}
    for kind in ("tutor", "chat"):
        mine = [r for r in requests if r.kind == kind]
        ends = int(max((r.at_s for r in mine), default=0) // bin_s) + 1
        bins[kind] = [
            {
                "at_s": (index + 0.5) * bin_s,
                **request_stats([r for r in mine if int(r.at_s // bin_s) == index]),
            }
            for index in range(ends)
        ]
    return {"bin_s": bin_s, **bins}


def soak(users: int, duration_s: float, think_s: float = THINK_S, progress: bool = True) -> dict[str, Any]:
    """The whole soak: the course's knowledge base, the stub and `corta serve`, the users, the store read back;
    returns the record that soak.json holds."""
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="corta-api-soak-") as folder:
        index = build_course(Path(folder))
        keys = [f"user-{user}" for user in range(users)] + ["warm-up"]
        stub_options = ["--tokens", str(TOKENS), "--delay-s", str(DELAY_S), "--tutor"]
        with served_api(stub_options, keys, {"CORTA_INDEX_DIR": str(index)}) as served:
            tally, stored = asyncio.run(run_users(served, users, duration_s, think_s, progress))
    first, last = tally.samples[0], tally.samples[-1]
    check = check_store(tally.sent, stored, tally.unanswered)
    return {
        "options": {
            "users": users,
            "duration_s": duration_s,
            "think_s": think_s,
            "tutor_share": TUTOR_SHARE,
            "turns_per_conversation": TURNS_PER_CONVERSATION,
            "tokens": TOKENS,
            "delay_s": DELAY_S,
            "timeout_s": TIMEOUT_S,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "python": sys.version.split()[0],
        },
        "wall_s": last.at_s,
        "requests_per_s": len(tally.requests) / last.at_s,
        "server_cores_busy": (last.cpu_s - first.cpu_s) / (last.at_s - first.at_s),
        "requests": {
            "tutor": request_stats([r for r in tally.requests if r.kind == "tutor"]),
            "chat": request_stats([r for r in tally.requests if r.kind == "chat"]),
            "all": request_stats(tally.requests),
        },
        "errors": dict(Counter(r.error for r in tally.requests if r.error).most_common(10)),
        "memory": memory_growth(tally.samples, min(60.0, duration_s / 5)),
        "store": asdict(check),
        "samples": [asdict(s) for s in tally.samples],
        "timeline": timeline(tally.requests, duration_s),
    }


def plot(record: dict[str, Any], path: Path, title: str) -> None:
    """The server's RSS (with its fitted line after the warm-up) and each kind's latency, over the soak."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    figure, (memory, latency) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    samples, growth = record["samples"], record["memory"]
    memory.plot([s["at_s"] for s in samples], [s["rss_mb"] for s in samples], color="tab:green", label="RSS")
    after = [s["at_s"] for s in samples if s["at_s"] >= growth["warmup_s"]]
    fitted = [growth["end_mb"] + growth["slope_mb_per_min"] * (t - after[-1]) / 60 for t in after]
    memory.plot(after, fitted, ":", color="black", label=f"fit: {growth['slope_mb_per_min']:+.2f} MB/min")
    memory.axvline(growth["warmup_s"], color="grey", linewidth=0.8)
    memory.set_ylabel("corta serve RSS (MB)")
    memory.legend(loc="lower right")
    for kind, colour in (("tutor", "tab:blue"), ("chat", "tab:orange")):
        bins = [b for b in record["timeline"][kind] if b["requests"] > b["errors"]]
        at = [b["at_s"] for b in bins]
        latency.plot(at, [b["p50"] * 1000 for b in bins], color=colour, label=f"{kind} p50")
        latency.plot(at, [b["p99"] * 1000 for b in bins], "--", color=colour, label=f"{kind} p99")
    latency.set_yscale("log")
    latency.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    latency.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    latency.yaxis.set_minor_formatter(NullFormatter())
    latency.set_ylabel(f"latency per {record['timeline']['bin_s']:.0f} s (ms)")
    latency.set_xlabel("seconds into the soak")
    latency.legend(loc="upper right", ncols=2)
    for axis in (memory, latency):
        axis.grid(alpha=0.3)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def report(record: dict[str, Any], title: str) -> str:
    """soak.md: the command, the machine, and the tables of requests, memory and the store's messages."""
    machine, growth, store, options = record["machine"], record["memory"], record["store"], record["options"]
    names = {
        "tutor": "tutor turn (`POST /api/tutor/ask`)",
        "chat": "streamed chat (`corta-llm`)",
        "all": "all",
    }
    rows = "\n".join(
        f"| {names[kind]} | {s['requests']} | {s['errors']} | {100 * s['error_rate']:.2f} % | {ms(s['p50'])} | "
        f"{ms(s['p99'])} |"
        for kind, s in record["requests"].items()
    )
    errors = "\n".join(f"- {count} × {error}" for error, count in record["errors"].items()) or "- none"
    return f"""# The API soaked: {title}

`{record["command"]}`

Each user loops, pausing up to {options["think_s"]:.1f} s between requests: a tutor turn in its current \
conversation ({100 * options["tutor_share"]:.0f} % of requests; a new conversation every \
{options["turns_per_conversation"]} turns) or a streamed `corta-llm` chat, each with its own key. The LLM is the \
streaming stub (`tests/helpers/streaming_stub_server.py --tutor`: {options["tokens"]} tokens per chat, \
{ms(options["delay_s"])} apart; each tutor call waits as long), so the figures are the API's, on a two-file course \
knowledge base; `corta serve` runs on 127.0.0.1 on a temporary store. An error is a non-2xx answer, a reply that \
is cut or belongs to another message, or no answer in {options["timeout_s"]:.0f} s.

Machine: {machine["cpus"]} CPUs, load average {machine["load_average_before"]} before and \
{machine["load_average_after"]} after{"; " + options["note"] if options.get("note") else ""}. Soak \
{record["wall_s"]:.0f} s, {record["requests_per_s"]:.1f} requests/s; the server used \
{record["server_cores_busy"]:.2f} CPU cores on average.

| request | count | errors | error rate | p50 | p99 |
|---|---|---|---|---|---|
{rows}

Errors by kind:
{errors}

The server's memory (`corta serve`, sampled each second; start = the first sample after {growth["warmup_s"]:.0f} s \
of warm-up):

| RSS start | RSS end | RSS max | growth | growth rate | fitted slope | threads start → end | open files start → end |
|---|---|---|---|---|---|---|---|
| {growth["start_mb"]:.1f} MB | {growth["end_mb"]:.1f} MB | {growth["max_mb"]:.1f} MB | \
{growth["growth_mb"]:+.1f} MB | {growth["growth_mb_per_min"]:+.2f} MB/min | {growth["slope_mb_per_min"]:+.2f} MB/min | \
{growth["threads"]["start"]} → {growth["threads"]["end"]} | {growth["fds"]["start"]} → {growth["fds"]["end"]} |

Messages, read back through `GET /api/conversations` and `GET /api/conversations/{{id}}` after the soak: every \
user message sent and every reply received, each of which must be stored exactly once, in order, in its own \
conversation.

| conversations | messages sent and answered | lost | duplicated | mixed up | stored from unanswered turns |
|---|---|---|---|---|---|
| {store["conversations"]} | {store["messages"]} | {store["lost"]} | {store["duplicated"]} | {store["mixed_up"]} | \
{store["stored_unanswered"]} |

![RSS and latency over the soak](soak.png)
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50, help="Simulated users, all at once.")
    parser.add_argument("--duration-s", type=float, default=300.0, help="How long the users go on.")
    parser.add_argument("--out", type=Path, default=RESULTS, help="Where soak.{md,json,png} go.")
    parser.add_argument("--note", default="", help="What else ran on the machine, for the report.")
    options = parser.parse_args()
    command = shlex.join([os.path.relpath(sys.executable, ROOT), "benchmarks/api_soak.py", *sys.argv[1:]])
    record = {"command": command, **soak(options.users, options.duration_s)}
    record["options"]["note"] = options.note
    title = f"{options.users} users for {options.duration_s:.0f} s"
    out: Path = options.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "soak.json").write_text(json.dumps(record, indent=1) + "\n")
    plot(record, out / "soak.png", title)
    (out / "soak.md").write_text(report(record, title))
    for kind, s in record["requests"].items():
        print(
            f"{kind:5s} {s['requests']} requests, {s['errors']} errors; p50 {ms(s['p50'])}, p99 {ms(s['p99'])}"
        )
    growth, store = record["memory"], record["store"]
    print(
        f"RSS {growth['start_mb']:.1f} → {growth['end_mb']:.1f} MB (max {growth['max_mb']:.1f}), "
        f"{growth['growth_mb_per_min']:+.2f} MB/min, fitted {growth['slope_mb_per_min']:+.2f} MB/min"
    )
    print(
        f"store: {store['messages']} messages in {store['conversations']} conversations; lost {store['lost']}, "
        f"duplicated {store['duplicated']}, mixed up {store['mixed_up']}"
    )
    print(f"report: {out / 'soak.md'}")
    if record["requests"]["all"]["errors"] or store["lost"] or store["duplicated"] or store["mixed_up"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
