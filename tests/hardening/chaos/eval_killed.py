"""A batch evaluation SIGKILLed at random moments and resumed with the same command: in the end every item is in
results.jsonl exactly once, and the summary, the report and run.json count exactly those records.

The evaluation is the real CLI, `corta eval routing --method oracle` on RoutBench (the backbone under each variant's
own checker: no LLM needed, under a second an item), run as a process group killed with SIGKILL once at least one new
item was recorded, after a random delay, so a kill lands anywhere: mid-item, mid-append, mid-report. A SIGKILL cannot
split one small `write(2)` on a local disk, so after the first kill the scenario also appends the first half of a
record line, as a kill mid-write leaves on a filesystem that can tear writes. The unit of `lost` and `doubled` is an
evaluation item.
"""

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.hardening.chaos.outcome import Outcome

ROUTBENCH = Path(__file__).resolve().parents[4] / "shared" / "data" / "routing" / "routbench"
"""The shared data folder beside the repository."""
_SUMMARY = re.compile(r"^\| all \| (\d+) \| (\d+) \|", re.MULTILINE)
_PASSED = re.compile(r"^(\d+)/(\d+) plans passed", re.MULTILINE)


def eval_command(out: Path, items: int) -> list[str]:
    """`corta eval routing` with reference checkers on the first `items` variants, two at a time."""
    return [str(Path(sys.executable).with_name("corta")), "eval", "routing", "--data", str(ROUTBENCH),
            "--out", str(out), "--method", "oracle", "--seconds", "0.1", "--limit", str(items),
            "--workers", "2"]  # fmt: skip


def _recorded(results: Path) -> int:
    try:
        return results.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def _run_until_killed(command: list[str], results: Path, log: Path, rng: random.Random) -> bool:
    """Start the command; once it recorded a new item, wait a random 0-0.8 s and SIGKILL its process group.
    False when it finished before the kill."""
    recorded = _recorded(results)
    with log.open("ab") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=sink, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _recorded(results) <= recorded and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.8))
        if process.poll() is not None:
            return False
        os.killpg(process.pid, signal.SIGKILL)
        return True
    finally:
        process.wait()


def _tear_a_line(results: Path) -> None:
    lines = results.read_text().splitlines()
    if lines:
        with results.open("a") as sink:
            sink.write(lines[-1][: len(lines[-1]) // 2])


def eval_killed(workdir: Path, items: int, kills: int, seed: int) -> Outcome:
    """Run the evaluation of `items` items, SIGKILLing it `kills` times (delays drawn from `seed`), then resume it
    to the end with the same command and check what it left."""
    outcome = Outcome()
    rng = random.Random(seed)
    out = workdir / "eval"
    results = out / "results.jsonl"
    command = eval_command(out, items)
    killed = 0
    for _ in range(kills):
        if not _run_until_killed(command, results, workdir / "killed.log", rng):
            break
        killed += 1
        if killed == 1:
            _tear_a_line(results)
    if killed == 0:
        outcome.fail("the evaluation finished before it could be killed")
    final = subprocess.run(command, capture_output=True, text=True, timeout=600)
    said = final.stdout + final.stderr
    if "Traceback" in said:
        outcome.tracebacks += 1
    if final.returncode != 0:
        outcome.fail(f"the resumed run ended {final.returncode}: {said.strip()[-500:]}")
        return outcome
    _check_records(outcome, out, items, said)
    return outcome


def _check_records(outcome: Outcome, out: Path, items: int, said: str) -> None:
    """Every item once in results.jsonl, and the command's line, the report and run.json counting those records."""
    wanted = json.loads((out / "sample_ids.json").read_text())[:items]
    lines = (out / "results.jsonl").read_text().splitlines()
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            outcome.corrupt += 1
            outcome.fail(f"results.jsonl holds a line that is not a record: {line[:80]!r}")
    counts = Counter(record["id"] for record in records)
    outcome.lost += sum(1 for id in wanted if counts[id] == 0)
    outcome.doubled += sum(count - 1 for count in counts.values())
    if outcome.lost or outcome.doubled or set(counts) != set(wanted):
        outcome.fail(f"{outcome.lost} items lost, {outcome.doubled} counted twice, ids {sorted(counts)}")
    successes = sum(1 for record in records if record["success"])
    summary = _SUMMARY.search((out / "report.md").read_text())
    passed = _PASSED.search(said)
    run = json.loads((out / "run.json").read_text())
    seen = {
        "report": (int(summary.group(1)), int(summary.group(2))) if summary else None,
        "command": (int(passed.group(2)), int(passed.group(1))) if passed else None,
        "run.json": (run["items"], successes),
    }
    for where, counted in seen.items():
        if counted != (items, successes):
            outcome.fail(f"the {where} counts {counted} (items, successes), the records {(items, successes)}")
