"""Chaos, repeated (issue 10): every scenario of `tests/hardening/chaos/` run N times with random kill points, delays
and free space, counting per scenario the runs, the expected outcome seen, the one-sentence errors shown, and the
damage (corrupt artefacts, lost and double-counted units, tracebacks shown to the user). Writes
`docs/results/hardening/chaos.md` and `chaos.json`. The CI runs each scenario once (`pytest -m chaos`).

    .venv/bin/python benchmarks/chaos.py               # 20 runs of each scenario
    .venv/bin/python benchmarks/chaos.py --repeats 5   # a shorter one

The disk scenarios mount a tmpfs (as root, else in a user namespace) and are left out, and said so, where neither
is allowed; the evaluation scenario needs the shared RoutBench data beside the repository.
"""

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "results" / "hardening"
sys.path.insert(0, str(ROOT))  # the scenario drivers are the chaos tests' own

from tests.hardening.chaos import disk_full, eval_killed, llm_killed, sqlite_locked  # noqa: E402
from tests.hardening.chaos.outcome import Outcome  # noqa: E402

Driver = Callable[[Path, random.Random], Outcome]


@dataclass(frozen=True)
class Scenario:
    """A row of the report: what is done to corta, what must happen, and the unit of lost and doubled."""

    name: str
    expected: str
    unit: str
    run: Driver
    missing: str | None = None  # why this machine cannot run it


@dataclass
class Tally:
    """The outcomes of one scenario's runs, added up."""

    runs: int = 0
    expected: int = 0
    sentences: int = 0
    corrupt: int = 0
    lost: int = 0
    doubled: int = 0
    tracebacks: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome, seconds: float) -> None:
        self.runs += 1
        self.expected += outcome.expected
        self.sentences += outcome.sentences
        self.corrupt += outcome.corrupt
        self.lost += outcome.lost
        self.doubled += outcome.doubled
        self.tracebacks += outcome.tracebacks
        self.seconds += seconds
        self.notes.extend(note for note in outcome.notes if note not in self.notes)


FREE_BYTES = [0, 4096, 8192, 16384, 32768, 65536, 131072, 262144]
"""Room left on the full disk: from none to enough for the whole write."""


def scenarios() -> list[Scenario]:
    """Every scenario, in the order of the issue."""
    no_disk = (
        None if disk_full.mount_methods() else "no tmpfs can be mounted here (neither as root nor by unshare)"
    )
    no_data = None if eval_killed.ROUTBENCH.is_dir() else f"no RoutBench data at {eval_killed.ROUTBENCH}"
    return [
        Scenario("LLM server SIGKILLed mid-stream (client)", "one restart, the reply whole", "reply token",
                 lambda w, r: llm_killed.stream_killed(w, kill_after=r.randint(0, 8))),
        Scenario("LLM server SIGKILLed mid-request (no stream)", "one restart, the reply whole", "reply token",
                 lambda w, r: llm_killed.chat_killed(w, kill_after_s=r.uniform(0.0, 0.8))),
        Scenario("LLM server SIGKILLed mid-stream (API on uvicorn)", "the client gets the reply whole",
                 "reply token", lambda w, r: llm_killed.api_stream_killed(w, kill_after=r.randint(0, 8))),
        Scenario("LLM stream that cannot go on (no restart, dies again, new reply differs)",
                 "one sentence, no token twice", "reply token",
                 lambda w, r: llm_killed.stream_cannot_go_on(w, r.choice(["no_restart", "dies_again", "differs"]))),
        Scenario("LLM server dead for good (API tutor route + streamed corta-llm)", "503, one sentence each",
                 "reply token", lambda w, r: llm_killed.api_server_dead(w)),
        Scenario("SQLite write lock held by another process (Store)", "busy timeout, one sentence, then success",
                 "message pair", lambda w, r: sqlite_locked.store_locked(w, busy_timeout_s=0.5)),
        Scenario("SQLite write lock held by another process (API tutor route, before or mid-turn)",
                 "503 store_busy sentence, then success", "message pair",
                 lambda w, r: sqlite_locked.api_locked(w, busy_timeout_s=0.5, mid_turn=r.random() < 0.5)),
        Scenario("Disk full: evaluation results, run.json, report and plots (tmpfs)",
                 "one sentence; each file old or whole; resume has every item", "evaluation item",
                 lambda w, r: disk_full.on_small_filesystem("report", w, r.choice(FREE_BYTES)), no_disk),
        Scenario("Disk full: merged model (tmpfs)", "one sentence; no partial; old model intact", "file",
                 lambda w, r: disk_full.on_small_filesystem("merge", w, r.choice(FREE_BYTES)), no_disk),
        Scenario("Batch evaluation SIGKILLed 3 times and resumed (`corta eval routing`, 10 items)",
                 "every item exactly once; counts match", "evaluation item",
                 lambda w, r: eval_killed.eval_killed(w, items=10, kills=3, seed=r.randrange(2**32)), no_data),
    ]  # fmt: skip


def run_all(chosen: list[Scenario], repeats: int, seed: int) -> dict[str, Tally]:
    """Each runnable scenario `repeats` times, each run in a fresh temporary folder."""
    rng = random.Random(seed)
    tallies = {scenario.name: Tally() for scenario in chosen}
    runnable = [scenario for scenario in chosen if scenario.missing is None]
    with tqdm(total=len(runnable) * repeats, unit="run") as bar:
        for scenario in runnable:
            bar.set_description(scenario.name[:40])
            for _ in range(repeats):
                with tempfile.TemporaryDirectory(prefix="corta-chaos-") as folder:
                    started = time.perf_counter()
                    try:
                        outcome = scenario.run(Path(folder), rng)
                    except Exception as error:  # the benchmark's edge: a driver that breaks is a failed run
                        outcome = Outcome()
                        outcome.fail(f"the driver raised {type(error).__name__}: {error}")
                    tallies[scenario.name].add(outcome, time.perf_counter() - started)
                bar.update()
    return tallies


def write_report(chosen: list[Scenario], tallies: dict[str, Tally], command: str, seconds: float) -> None:
    rows = [
        {"scenario": s.name, "expected_outcome": s.expected, "unit": s.unit, "missing": s.missing,
         **{key: value for key, value in vars(tallies[s.name]).items() if key != "notes"},
         "notes": tallies[s.name].notes[:5]}
        for s in chosen
    ]  # fmt: skip
    machine = f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the end"
    (RESULTS / "chaos.json").write_text(
        json.dumps(
            {"command": command, "machine": machine, "seconds": round(seconds, 1), "rows": rows}, indent=2
        )
        + "\n"
    )
    lines = [
        "# Chaos: killed servers and runs, a locked store, a full disk",
        "",
        f"Command: `{command}` ({seconds / 60:.1f} min on {machine}). The CI runs each scenario once: "
        "`.venv/bin/python -m pytest -m chaos tests/hardening`.",
        "",
        "Each run is real: the LLM stub server and the evaluation are processes killed with SIGKILL, the lock is held "
        "by a second process (`BEGIN EXCLUSIVE`), the disk is a 2 MiB tmpfs filled until ENOSPC and then left with "
        "0 to 256 KiB free. Kill points, delays and free space are drawn at random for each run. *Sentences*: errors "
        "the user got, each one sentence, where the scenario expects one; *lost* and *doubled* are counted in the "
        "row's unit; *tracebacks*: raw exceptions or tracebacks that reached the user.",
        "",
        "| scenario | expected outcome | runs | expected seen | sentences | corrupt artefacts | lost | doubled | "
        "tracebacks | unit | s/run |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row["missing"]:
            lines.append(f"| {row['scenario']} | {row['expected_outcome']} | not run: {row['missing']} "
                         "| | | | | | | | |")  # fmt: skip
            continue
        per_run = row["seconds"] / row["runs"] if row["runs"] else 0.0
        lines.append(
            f"| {row['scenario']} | {row['expected_outcome']} | {row['runs']} | {row['expected']}/{row['runs']} | "
            f"{row['sentences']} | {row['corrupt']} | {row['lost']} | {row['doubled']} | {row['tracebacks']} | "
            f"{row['unit']} | {per_run:.1f} |"
        )
    lost = sum(row["lost"] for row in rows if "evaluation" in row["unit"])
    doubled = sum(row["doubled"] for row in rows if "evaluation" in row["unit"])
    lines += ["", f"Evaluation items lost: **{lost}**; counted twice: **{doubled}**.", ""]
    failures = [(row["scenario"], note) for row in rows for note in row["notes"]]
    lines += ["## What went wrong", ""]
    lines += [f"- {name}: {note}" for name, note in failures] or [
        "Nothing: every run saw the expected outcome."
    ]
    (RESULTS / "chaos.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="runs of each scenario (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random kill points and free space")
    args = parser.parse_args()
    logging.getLogger().addHandler(
        logging.NullHandler()
    )  # the product's expected warnings would break the bar
    command = "python benchmarks/chaos.py" + ("" if args.repeats == 20 else f" --repeats {args.repeats}")
    command += "" if args.seed == 0 else f" --seed {args.seed}"
    chosen = scenarios()
    started = time.perf_counter()
    tallies = run_all(chosen, args.repeats, args.seed)
    seconds = time.perf_counter() - started
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_report(chosen, tallies, command, seconds)
    for scenario in chosen:
        tally = tallies[scenario.name]
        print(f"{scenario.name[:60]:60} {tally.expected:>3}/{tally.runs:<3} expected  corrupt {tally.corrupt}  "
              f"lost {tally.lost}  doubled {tally.doubled}  tracebacks {tally.tracebacks}")  # fmt: skip
    print(f"report: {RESULTS / 'chaos.md'}")


if __name__ == "__main__":
    main()
