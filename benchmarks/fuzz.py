"""Fuzz every parser with many cases (issue 10): runs each `tests/hardening/test_fuzz_*.py` through pytest with
`CORTA_FUZZ_EXAMPLES` examples per test, prints per target the cases run, the unexpected exception types found
(0 expected) and the seconds, and writes `docs/results/hardening/fuzz.md`.

    .venv/bin/python benchmarks/fuzz.py                  # the full run: 10000 examples per test
    .venv/bin/python benchmarks/fuzz.py --examples 1000  # a shorter one
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "results" / "hardening" / "fuzz.md"


def run_target(test_file: Path, examples: int) -> dict[str, object]:
    """Run one fuzz test file; its cases, unexpected exception types, pytest's exit status and seconds."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        env = {**os.environ, "CORTA_FUZZ_EXAMPLES": str(examples), "CORTA_FUZZ_REPORT": str(report)}
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                str(test_file.relative_to(ROOT)),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        counts = json.loads(report.read_text()) if report.is_file() else {}
    target = test_file.stem.removeprefix("test_fuzz_")
    found = counts.get(target, {"cases": 0, "unexpected": {}})
    return {
        "target": target,
        "cases": found["cases"],
        "unexpected": found["unexpected"],
        "status": done.returncode,
        "seconds": seconds,
        "tail": done.stdout.strip().splitlines()[-1:] if done.stdout.strip() else [],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000, help="examples per fuzz test (default 10000)")
    args = parser.parse_args()
    rows = []
    for test_file in sorted((ROOT / "tests" / "hardening").glob("test_fuzz_*.py")):
        row = run_target(test_file, args.examples)
        rows.append(row)
        kinds = ", ".join(f"{name} ×{n}" for name, n in row["unexpected"].items()) or "none"  # type: ignore[union-attr]
        print(
            f"{row['target']:10} {row['cases']:>8} cases  unexpected: {kinds:30} {row['seconds']:8.1f} s  {row['tail']}"
        )
    command = "python benchmarks/fuzz.py" + (
        "" if args.examples == 10_000 else f" --examples {args.examples}"
    )
    lines = [
        "# Fuzzing the parsers",
        "",
        f"Command: `{command}`: {args.examples} examples per test, and a share of it (a tenth to a half) for the "
        "slower tests (`fuzz_settings(share=…)`); each target has several tests."
        + (
            ""
            if args.examples == 10_000
            else " The full run is `python benchmarks/fuzz.py` (10000 per test)."
        ),
        "",
        "Only the documented error types may escape each parser; an unexpected type fails the test.",
        "",
        "| target | cases run | unexpected exception types | pytest | seconds |",
        "|---|---:|---|---|---:|",
    ]
    for row in rows:
        kinds = ", ".join(f"`{name}` ×{n}" for name, n in row["unexpected"].items()) or "0"  # type: ignore[union-attr]
        status = "passed" if row["status"] == 0 else f"failed ({row['status']})"
        lines.append(f"| {row['target']} | {row['cases']} | {kinds} | {status} | {row['seconds']:.1f} |")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)}")
    sys.exit(0 if all(row["status"] == 0 for row in rows) else 1)


if __name__ == "__main__":
    main()
