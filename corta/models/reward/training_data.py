"""Labelled step prefixes for training a process reward model, from solver-verified perturbations of gold models.

Every level prefix of a gold model is correct (label 1). A perturbation breaks one level; the prefix that ends with
that level and every longer one are wrong (label 0), and the shorter ones are the gold's own. A perturbation counts
only when HiGHS says it changes the model's outcome (status or objective at 1e-6 relative), so a harmless change
(a slack constraint dropped, an integer variable that is integral anyway) is never labelled wrong.
"""

import json
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corta.datasets.optimization import load_benchmark
from corta.errors import DatasetError, ModelError
from corta.models.reward.perturbations import perturb
from corta.solvers.optmodel.checked_steps import render_checked_steps
from corta.solvers.optmodel.levels import LEVELS, from_ir
from corta.solvers.optmodel.schema import load_model
from corta.solvers.optmodel.solve import solve

# The fixtures' ids name records as their source files count them; the loaders' ids use these variants and keys.
_VARIANTS = {"complexor": "orthought", "logior": "problems", "nl4opt": "llmopt", "nlp4lp": "orthought"}
_VARIANTS |= {"optibench": "clean", "mamo_easy": "original", "mamo_complex": "original"}


@dataclass(frozen=True)
class GoldModel:
    """A hand-written model in the IR and the word problem it formulates."""

    id: str
    question: str
    model: dict[str, Any]


@dataclass(frozen=True)
class StepExample:
    """The steps so far of one partial model, labelled 1 when they are correct.

    `origin` says where they come from (gold, or the perturbation); `wrong_from` is the index of the first wrong
    step, None for a correct prefix.
    """

    problem_id: str
    question: str
    steps: tuple[str, ...]
    label: float
    origin: str
    wrong_from: int | None = None

    @property
    def judges_newest_step(self) -> bool:
        """Whether the label is about the newest step: the prefix is correct, or its first mistake is its last step."""
        return self.wrong_from is None or self.wrong_from == len(self.steps) - 1


def benchmark_id(fixture_id: str) -> str:
    """The id `load_benchmark` gives the record a fixture formulates (`mamo_easy/300` → `mamo_easy/original/301`)."""
    benchmark, *_, key = fixture_id.split("/")
    if benchmark not in _VARIANTS:
        raise DatasetError(f"Fixture {fixture_id} names no known benchmark.")
    if benchmark.startswith("mamo_"):
        key = str(int(key) + 1)  # the fixture counts lines from 0, the MAMO file's ids start at 1
    return f"{benchmark}/{_VARIANTS[benchmark]}/{key}"


def load_gold_models(models_dir: Path, data_root: Path) -> list[GoldModel]:
    """The models in `models_dir` (*.json) with their questions: their own, else their benchmark's in `data_root`.

    Raises
    ------
    DatasetError
        If a model has no question of its own and its benchmark's data is missing or lacks the record.
    """
    models = [
        json.loads(path.read_text(encoding="utf-8")) for path in sorted(Path(models_dir).glob("*.json"))
    ]
    if not models:
        raise DatasetError(f"No gold models (*.json) found in {models_dir}.")
    wanted = {model["id"]: benchmark_id(model["id"]) for model in models if not model.get("question")}
    questions: dict[str, str] = {}
    for benchmark in sorted({target.split("/")[0] for target in wanted.values()}):
        problems = load_benchmark(benchmark, data_root, _VARIANTS[benchmark])
        questions |= {problem.id: problem.question for problem in problems}
    golds = []
    for model in models:
        question = model.get("question") or questions.get(wanted[model["id"]])
        if not question:
            raise DatasetError(f"No question found for gold model {model['id']} in {data_root}.")
        golds.append(GoldModel(model["id"], question, model))
    return golds


def split_by_problem(
    ids: Iterable[str], held_out_share: float = 0.25, seed: int = 0
) -> tuple[list[str], list[str]]:
    """A seeded split of problem ids into (train, held out), so no problem has examples on both sides."""
    shuffled = sorted(ids)
    random.Random(seed).shuffle(shuffled)
    count = max(1, round(len(shuffled) * held_out_share))
    return sorted(shuffled[count:]), sorted(shuffled[:count])


def gold_examples(gold: GoldModel) -> list[StepExample]:
    """Every level prefix of the gold model, each labelled correct."""
    steps = render_checked_steps(gold.question, from_ir(gold.model))
    return [
        StepExample(gold.id, gold.question, tuple(steps[: i + 1]), 1.0, "gold") for i in range(len(steps))
    ]


def _outcome(model: dict[str, Any], time_limit_s: float) -> tuple[str, float | None]:
    try:
        result = solve(load_model(model), time_limit_s)
    except ModelError:
        return "error", None
    return result.status, result.objective


def _changes(reference: tuple[str, float | None], outcome: tuple[str, float | None]) -> bool | None:
    """Whether `outcome` differs from the gold's; None when a time limit leaves it undecided."""
    if "time_limit" in (reference[0], outcome[0]):
        return None
    if reference[0] != outcome[0]:
        return True
    if reference[1] is None or outcome[1] is None:
        return False
    return not math.isclose(reference[1], outcome[1], rel_tol=1e-6, abs_tol=1e-9)


def perturbation_examples(
    gold: GoldModel, seed: int = 0, per_operator: int = 3, time_limit_s: float = 5.0
) -> list[StepExample]:
    """Wrong prefixes from perturbations of `gold` that HiGHS confirms change its outcome."""
    reference = _outcome(gold.model, time_limit_s)
    examples = []
    for perturbation in perturb(gold.model, random.Random(f"{seed}:{gold.id}"), per_operator):
        if not _changes(reference, _outcome(perturbation.model, time_limit_s)):
            continue
        steps = render_checked_steps(gold.question, from_ir(perturbation.model))
        first = LEVELS.index(perturbation.level)
        examples.extend(
            StepExample(gold.id, gold.question, tuple(steps[: i + 1]), 0.0, perturbation.operator, first)
            for i in range(first, len(steps))
        )
    return examples


def build_examples(
    golds: Iterable[GoldModel], seed: int = 0, per_operator: int = 3, time_limit_s: float = 5.0
) -> list[StepExample]:
    """Gold and perturbed prefixes of every model, each (question, steps) once."""
    examples: dict[tuple[str, tuple[str, ...]], StepExample] = {}
    for gold in golds:
        for example in [*gold_examples(gold), *perturbation_examples(gold, seed, per_operator, time_limit_s)]:
            examples.setdefault((example.question, example.steps), example)
    return list(examples.values())
