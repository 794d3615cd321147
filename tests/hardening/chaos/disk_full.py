"""A full disk while corta writes an evaluation (results, run.json, report, plots) or a merged model: the user gets
one sentence (a `CortaError`), nothing at a final name is left incomplete, no partial file is left behind, and
yesterday's complete artefacts stay as they were.

The disk is real: a 2 MiB tmpfs, filled with a file until the kernel says ENOSPC and then trimmed to leave
`free_bytes` (so a write can get partway). It is mounted here when this process may (root), else inside
`unshare --user --map-root-user --mount`, the scenario then running in that subprocess (`python -m` this module) and
handing its `Outcome` back as JSON. The unit of `lost` and `doubled` is an evaluation item; `corrupt` counts files.
"""

import argparse
import contextlib
import functools
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corta.errors import CortaError, MergeError, ReportError
from tests.hardening.chaos.outcome import Outcome, one_sentence

ROOT = Path(__file__).resolve().parents[3]
SIZE = "2m"
PNG_END = b"IEND\xaeB`\x82"


@dataclass(frozen=True)
class Item:
    id: str


ITEMS = [Item(f"item-{number:03d}") for number in range(60)]
"""Yesterday's evaluation covered the first 20; today's covers all 60, so that today's files are larger (more
categories and errors) and cannot reuse the room of yesterday's."""


class QuickTask:
    """A deterministic task that takes no time: every third item fails, every seventh raises."""

    name = "chaos-quick"
    scoring = "success = the item's number is not a multiple of 3"

    def run(self, item: Item) -> dict[str, Any]:
        number = int(item.id.split("-")[1])
        if number % 7 == 6:
            raise ValueError(f"item {number} is one the chaos task refuses, with a long reason " + "." * 200)
        return {"category": f"batch {number // 4}", "success": number % 3 != 0, "cost": float(number)}


@contextmanager
def small_filesystem(directory: Path) -> Iterator[Path]:
    """A fresh tmpfs of `SIZE` mounted at `directory` while the block lasts (always unmounted after)."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(directory)], check=True,
                   capture_output=True)  # fmt: skip
    try:
        yield directory
    finally:
        subprocess.run(["umount", str(directory)], check=True, capture_output=True)


@functools.cache
def mount_methods() -> tuple[str, ...]:
    """How this machine can give a test a small filesystem: "mount" (allowed in this process) and "unshare" (in a
    user and mount namespace), as far as each works."""
    found = []
    with tempfile.TemporaryDirectory(prefix="corta-chaos-probe-") as folder:
        try:
            with small_filesystem(Path(folder) / "fs"):
                found.append("mount")
        except (OSError, subprocess.CalledProcessError):
            pass
        probe = ["unshare", "--user", "--map-root-user", "--mount",
                 "mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", folder]  # fmt: skip
        try:
            subprocess.run(probe, check=True, capture_output=True, timeout=30)
            found.append("unshare")
        except (OSError, subprocess.SubprocessError):
            pass
    return tuple(found)


def fill(directory: Path, free_bytes: int) -> None:
    """Fill the filesystem of `directory` until ENOSPC, then leave `free_bytes` free."""
    filler = directory / "filler"
    block = b"\0" * 65536
    with filler.open("ab", buffering=0) as sink, contextlib.suppress(OSError):
        while True:
            sink.write(block)  # short writes at the end, then ENOSPC
    os.truncate(filler, max(0, filler.stat().st_size - free_bytes))


def on_small_filesystem(scenario: str, workdir: Path, free_bytes: int, how: str | None = None) -> Outcome:
    """Run `scenario` ("report", "merge" or "merge_cli") on a fresh small filesystem at `workdir/fs`, mounted the way `how` says
    (default: the first of `mount_methods()`).

    Raises
    ------
    RuntimeError
        When this machine cannot give a test a small filesystem.
    """
    how = how or next(iter(mount_methods()), None)
    if how == "mount":
        with small_filesystem(workdir / "fs") as fs:
            return SCENARIOS[scenario](fs, workdir, free_bytes)
    if how != "unshare":
        raise RuntimeError("cannot mount a small filesystem here, nor in a user namespace")
    command = ["unshare", "--user", "--map-root-user", "--mount", sys.executable, "-m", __name__,
               scenario, str(workdir), str(free_bytes)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        outcome = Outcome(tracebacks=int("Traceback" in done.stderr))
        outcome.fail(f"the namespaced run failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        return outcome
    return Outcome(**json.loads(lines[-1]))


def _check_error(outcome: Outcome, error: Exception | None, kind: type[CortaError], must_fail: bool) -> None:
    if error is None:
        if must_fail:
            outcome.fail("the write went through on a full disk")
        return
    if not isinstance(error, kind):
        outcome.tracebacks += not isinstance(error, CortaError)
        outcome.fail(f"{type(error).__name__} reached the user: {error}")
    elif not one_sentence(str(error)):
        outcome.fail(f"the error is not one sentence: {error}")
    else:
        outcome.sentences += 1


def _attempt(call: Any) -> Exception | None:
    try:
        call()
    except Exception as error:  # the scenario's edge: what reached the user is judged by `_check_error`
        return error
    return None


def report_scenario(fs: Path, workdir: Path, free_bytes: int) -> Outcome:
    """Yesterday's evaluation (20 items, report and plots) complete on the small disk; today's run of 60 items and its
    report with only `free_bytes` free. After each failed step every file is yesterday's or complete; a run that
    failed is resumed once the disk has room, and must then hold every item once."""
    from corta.datasets.evaluate import run_evaluation, write_report

    outcome = Outcome()
    out = fs / "eval"
    task = QuickTask()
    run_evaluation(task, ITEMS[:20], out, progress=False, command="yesterday")
    write_report(out, "Yesterday", plot_field="cost")
    before = _contents(out)
    fill(fs, free_bytes)
    failed = _attempt(lambda: run_evaluation(task, ITEMS, out, progress=False, command="today"))
    _check_error(outcome, failed, ReportError, must_fail=free_bytes == 0)
    _check_files(outcome, out, before)
    if failed is not None:
        (fs / "filler").unlink()  # the operator frees space and runs the same command again
        resumed = _attempt(lambda: run_evaluation(task, ITEMS, out, progress=False, command="today"))
        _check_error(outcome, resumed, ReportError, must_fail=False)
        fill(fs, free_bytes)
    counts = Counter(json.loads(line)["id"] for line in (out / "results.jsonl").read_text().splitlines())
    outcome.lost += sum(1 for item in ITEMS if counts[item.id] == 0)
    outcome.doubled += sum(count - 1 for count in counts.values())
    before = _contents(out)
    failed = _attempt(lambda: write_report(out, "Today", plot_field="cost"))
    _check_error(outcome, failed, ReportError, must_fail=free_bytes == 0)
    _check_files(outcome, out, before)
    return outcome


def _contents(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in directory.iterdir()}


def _check_files(outcome: Outcome, directory: Path, before: dict[str, bytes]) -> None:
    """Each file of an evaluation folder is as it was `before` the step, or complete; nothing partial is left."""
    from corta.datasets.evaluate import EvalRecord, RunInfo

    for name, data in _contents(directory).items():
        if "partial" in name:
            outcome.fail(f"a partial file was left behind: {name}")
            continue
        if data == before.get(name):
            continue
        if (
            name == "results.jsonl"
        ):  # appended by design: a line cut at its end is dropped when the run resumes
            lines = data.decode().split("\n")
            whole = (
                _attempt(lambda lines=lines: [EvalRecord.model_validate_json(x) for x in lines[:-1]]) is None
            )
        elif name == "run.json":
            whole = _attempt(lambda data=data: RunInfo.model_validate_json(data)) is None
        elif name == "report.md":
            whole = _whole_report(data.decode(errors="replace"))
        elif name.endswith(".png"):
            whole = data.startswith(b"\x89PNG") and data.endswith(PNG_END)
        else:
            whole = True
        if not whole:
            outcome.corrupt += 1
            outcome.fail(f"{name} is neither as it was nor complete")


def _whole_report(text: str) -> bool:
    """A report that ends with its whole errors section: `None.` or as many table rows as its header counts."""
    head, _, errors = text.rpartition("## Errors (")
    count, _, rest = errors.partition(")")
    if not head or not count.isdigit() or not text.endswith("\n"):
        return False
    rows = [line for line in rest.splitlines() if line.startswith("| item-")]
    return rest.strip() == "None." if count == "0" else len(rows) == int(count) and rest.endswith("|\n")


def _save_model(directory: Path, seed: int) -> Path:
    import torch
    from safetensors.torch import save_file

    generator = torch.Generator().manual_seed(seed)
    shapes = {"model.embed_tokens.weight": (64, 64), "model.layers.0.mlp.up_proj.weight": (128, 64),
              "model.layers.0.mlp.down_proj.weight": (64, 128), "lm_head.weight": (64, 64)}  # fmt: skip
    directory.mkdir(parents=True, exist_ok=True)
    tensors = {name: torch.randn(shape, generator=generator) for name, shape in shapes.items()}
    save_file(tensors, directory / "model.safetensors", metadata={"format": "pt"})
    config = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": 64}
    (directory / "config.json").write_text(json.dumps(config))
    return directory


def merge_recipe(workdir: Path) -> Path:
    """A linear merge of two small random checkpoints (128 KiB of float32 weights), outside the small disk."""
    models = [_save_model(workdir / "models" / f"m{seed}", seed) for seed in (1, 2)]
    recipe = workdir / "recipe.yaml"
    entries = "".join(f"  - model: {model}\n    parameters: {{weight: 0.5}}\n" for model in models)
    recipe.write_text(f"merge_method: linear\nmodels:\n{entries}dtype: float32\n")
    return recipe


def merge_scenario(fs: Path, workdir: Path, free_bytes: int, cli: bool = False) -> Outcome:
    """Yesterday's merged model complete on the small disk; today the same recipe merged into a new folder with only
    `free_bytes` free (through `corta merge` with `cli`). Today's folder is either absent or complete (identical to
    yesterday's, the merge being deterministic), nothing partial is left, and yesterday's model is untouched; a merge
    into yesterday's folder is refused."""
    from corta.models.merging.recipe import load_recipe
    from corta.models.merging.run import run_merge

    outcome = Outcome()
    recipe = merge_recipe(workdir)
    # In process, several shards and an index, so that a write can fail at each step; the command's smallest shard
    # size (10 MB) makes one file.
    shard = 5_000_000_000 if cli else 40_000

    def merge(out: Path) -> None:
        run_merge(load_recipe(recipe), out, progress=False, max_shard_bytes=shard)

    merge(fs / "merged")
    yesterday = {path.name: path.read_bytes() for path in (fs / "merged").iterdir()}
    fill(fs, free_bytes)
    if cli:
        _merge_by_cli(outcome, recipe, fs / "today", shard, must_fail=free_bytes == 0)
    else:
        failed = _attempt(lambda: merge(fs / "today"))
        _check_error(outcome, failed, MergeError, must_fail=free_bytes == 0)
    refused = _attempt(lambda: merge(fs / "merged"))
    if not isinstance(refused, MergeError):
        outcome.fail(f"a merge into yesterday's folder was not refused ({refused!r})")
    left = [path.name for path in fs.iterdir() if "partial" in path.name]
    if left:
        outcome.fail(f"partial folders were left behind: {left}")
    now = {path.name: path.read_bytes() for path in (fs / "merged").iterdir()}
    if now != yesterday:
        outcome.corrupt += 1
        outcome.fail("yesterday's merged model changed")
    if (fs / "today").exists():
        today = {path.name: path.read_bytes() for path in (fs / "today").iterdir()}
        if today != yesterday:
            outcome.corrupt += 1
            outcome.fail(f"today's folder was left incomplete: {sorted(today)}")
    return outcome


def _merge_by_cli(outcome: Outcome, recipe: Path, out: Path, shard: int, must_fail: bool) -> None:
    command = [str(Path(sys.executable).with_name("corta")), "merge", str(recipe), str(out), "--shard-size",
               str(shard / 1e9)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if "Traceback" in done.stderr:
        outcome.tracebacks += 1
    if done.returncode == 0:
        if must_fail:
            outcome.fail("`corta merge` succeeded on a full disk")
        return
    said = [line for line in done.stderr.splitlines() if line.strip()]
    if done.returncode != 1 or len(said) != 1 or not said[0].startswith("error: "):
        outcome.fail(f"`corta merge` ended {done.returncode} saying: {done.stderr.strip()[-500:]}")
    elif not one_sentence(said[0]):
        outcome.fail(f"`corta merge` did not say one sentence: {said[0]}")
    else:
        outcome.sentences += 1


SCENARIOS = {
    "report": report_scenario,
    "merge": merge_scenario,
    "merge_cli": functools.partial(merge_scenario, cli=True),
}


if __name__ == "__main__":  # inside `unshare --user --map-root-user --mount`, see `on_small_filesystem`
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("workdir", type=Path)
    parser.add_argument("free_bytes", type=int)
    options = parser.parse_args()
    with small_filesystem(options.workdir / "fs") as mounted:
        result = SCENARIOS[options.scenario](mounted, options.workdir, options.free_bytes)
    print(json.dumps(asdict(result)))
