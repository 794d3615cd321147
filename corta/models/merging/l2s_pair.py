"""The Long-to-Short experiment's models: a System-1 / System-2 pair grown from one small base, and the merges of
the pair by every method with the L2S study's hyper-parameters.

System 1 is the base fine-tuned on short solutions; System 2 is System 1 fine-tuned further on longer solutions of
the same problems, as DeepSeek-R1-Distill-Qwen was fine-tuned from Qwen2.5-Math. So System 1 is the natural base of
the merges, exactly as in the shipped Qwen2.5-Math recipes, whose parameters are reused here. Two pair styles:

- "answer": System 1 gives the answer only, System 2 works every step out (the first experiment: the merges
  switch between the two formats instead of shortening the reasoning);
- "steps": System 1 works every step out once, System 2 also re-checks each step and re-reads the question, as the
  paper's pair does (a concise chain of thought against a long self-verifying one).
"""

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Literal

import yaml

from corta.datasets.l2s_problems import generate_problems
from corta.errors import ConfigError
from corta.models.merging.finetune import FineTuneReport, fine_tune
from corta.models.merging.gguf_source import checkpoint_from_gguf, is_gguf
from corta.models.merging.recipe import load_recipe, parse_recipe
from corta.models.merging.run import MergeReport, run_merge

SHIPPED_RECIPES = Path(__file__).resolve().parents[3] / "recipes" / "l2s"
PAPER_SIZE = "1.5b"  # the pair whose hyper-parameters the experiment reuses
TRAIN_SEED = 0  # held-out problems use other seeds (`corta eval l2s --seed`, default 1000)
PairStyle = Literal["answer", "steps"]
PAIR_STYLES: dict[str, tuple[str, str]] = {"answer": ("short", "long"), "steps": ("long", "reflective")}
"""Per style, the solution System 1 learns and the one System 2 learns (fields of `L2SProblem`)."""


def build_pair(
    base: Path,
    out_dir: Path,
    cache_dir: Path,
    problems: int = 400,
    short_steps: int = 150,
    long_steps: int = 300,
    batch_size: int = 8,
    progress: bool = True,
    style: PairStyle = "answer",
) -> dict[str, FineTuneReport]:
    """Fine-tune System 1 (the style's shorter solutions) from `base` (a model folder or GGUF file), then System 2
    (its longer ones) from System 1, into `out_dir/system1` and `out_dir/system2`; write their merge recipes into
    `out_dir/recipes`. A member already fine-tuned there with the same steps and batch size is reused (an
    interrupted build resumes)."""
    source = checkpoint_from_gguf(base, cache_dir) if is_gguf(base) else base
    train = generate_problems(problems, seed=TRAIN_SEED)
    shorter, longer = PAIR_STYLES[style]
    reports = {
        "system1": _fine_tuned(
            out_dir / "system1",
            lambda: fine_tune(
                source,
                [(p.question, getattr(p, shorter)) for p in train],
                out_dir / "system1",
                short_steps,
                batch_size,
                progress=progress,
            ),
            short_steps,
            batch_size,
        )
    }
    reports["system2"] = _fine_tuned(
        out_dir / "system2",
        lambda: fine_tune(
            out_dir / "system1", [(p.question, getattr(p, longer)) for p in train], out_dir / "system2", long_steps,
            batch_size,
            progress=progress,
        ),
        long_steps,
        batch_size,
    )  # fmt: skip
    write_recipes(out_dir)
    settings = {
        "base": str(base), "style": style, "problems": problems, "train_seed": TRAIN_SEED, "batch_size": batch_size,
    }  # fmt: skip
    (out_dir / "pair.json").write_text(
        json.dumps({**settings, **{name: asdict(report) for name, report in reports.items()}}, indent=2),
        encoding="utf-8",
    )
    return reports


def write_recipes(out_dir: Path) -> list[Path]:
    """One recipe per method, the shipped Qwen2.5-Math 1.5B recipe with the pair in place of the paper's models."""
    folder = out_dir / "recipes"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for shipped in sorted(SHIPPED_RECIPES.glob(f"qwen2.5-math-{PAPER_SIZE}-*.yaml")):
        data = yaml.safe_load(shipped.read_text(encoding="utf-8"))
        renamed = {}
        for key in ("base_model", "tokenizer_source"):
            if data.get(key):
                renamed[key] = _pair_member(data[key])
        data.update(renamed)
        for entry in data["models"]:
            entry["model"] = _pair_member(entry["model"])
        data["dtype"] = "float32"  # the experiment's models are small and trained in float32
        method = shipped.stem.removeprefix(f"qwen2.5-math-{PAPER_SIZE}-")
        path = folder / f"{method}.yaml"
        path.write_text(
            f"# From {shipped.name}, on this pair.\n" + yaml.safe_dump(data, sort_keys=False),
            encoding="utf-8",
        )
        parse_recipe(data, folder)  # refuse a recipe that would not run
        written.append(path)
    return written


def write_weight_sweep(out_dir: Path, weights: list[float]) -> list[Path]:
    """Task-arithmetic recipes between the pair, one per System-2 weight in `weights` (the shipped recipe uses 0.7):
    `recipes/task-arithmetic-w<weight>.yaml`, merged by `merge_pair` like the others.

    Raises
    ------
    ConfigError
        If a weight is not in (0, 2], or the pair has no task-arithmetic recipe yet.
    """
    shipped = out_dir / "recipes" / "task-arithmetic.yaml"
    if not shipped.is_file():
        raise ConfigError(
            f"No task-arithmetic recipe at {shipped}; `corta l2s pair` writes the pair's recipes."
        )
    written = []
    for weight in weights:
        if not 0 < weight <= 2:
            raise ConfigError(f"A sweep weight must be in (0, 2]; got {weight:g}.")
        data = yaml.safe_load(shipped.read_text(encoding="utf-8"))
        data["models"][0]["parameters"]["weight"] = weight
        path = shipped.with_name(f"task-arithmetic-w{weight:g}.yaml")
        path.write_text(
            f"# The pair's task-arithmetic recipe with System 2's weight {weight:g} (a sweep).\n"
            + yaml.safe_dump(data, sort_keys=False),
            encoding="utf-8",
        )
        parse_recipe(data, path.parent)
        written.append(path)
    return written


def merge_pair(out_dir: Path, methods: list[str] | None = None, progress: bool = True) -> list[MergeReport]:
    """Run the pair's recipes (all, or the named methods) into `out_dir/merged/<method>`, skipping finished ones."""
    reports = []
    for recipe_path in sorted((out_dir / "recipes").glob("*.yaml")):
        if methods and recipe_path.stem not in methods:
            continue
        target = out_dir / "merged" / recipe_path.stem
        if (target / "config.json").is_file():
            continue
        reports.append(run_merge(load_recipe(recipe_path), target, progress=progress))
    return reports


def _fine_tuned(
    out_dir: Path, train: Callable[[], FineTuneReport], steps: int, batch_size: int
) -> FineTuneReport:
    """The model already fine-tuned in `out_dir` with these steps and batch size (a resumed build), else `train()`."""
    done = out_dir / "fine_tune.json"
    if done.is_file():
        report = FineTuneReport(**json.loads(done.read_text(encoding="utf-8")))
        if (report.steps, report.examples) == (steps, steps * batch_size):
            return report
    return train()


def _pair_member(path: str) -> str:
    return "../system2" if "DeepSeek-R1-Distill" in path else "../system1"
