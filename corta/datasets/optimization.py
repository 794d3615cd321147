"""Optimization word-problem benchmarks as `OptProblem` records, read from a user's copy of the data.

`load_benchmark(name, root, variant)` reads `root/<folder>/<file>`; `root` holds one folder per benchmark (the
MAMO splits share `mamo/`). The first variant listed is the default: the most-cleaned answer-annotated file.

| benchmark    | variants (default first) and files                                                           |
|--------------|----------------------------------------------------------------------------------------------|
| nl4opt       | `llmopt` llmopt_nl4opt_test_230.jsonl, `sirl` sirl_NL4OPT_245.jsonl,                          |
|              | `resocratic` resocratic_NL4OPT-E_289.json                                                    |
| mamo_easy    | `sirl` sirl_MAMO_EasyLP_fixed_642.jsonl, `original` mamo_easy_lp_652.jsonl,                   |
|              | `clean` llm4or_survey_clean_easy_lp_545.jsonl                                                |
| mamo_complex | `sirl` sirl_MAMO_ComplexLP_fixed_203.jsonl, `original` mamo_complex_lp_211.jsonl,             |
|              | `optimind` optimind_cleaned_mamo_complex_210.csv, `clean` llm4or_survey_clean_complex_lp_111.jsonl |
| optibench    | `clean` llm4or_survey_clean_optibench_403.jsonl, `resocratic` OptiBench_605.json,             |
|              | `sirl` sirl_OptiBench_605.jsonl, `track3` llmopt_icml2024_track3_test_410.jsonl               |
| nlp4lp       | `orthought` orthought_corrected_nlp4lp_264.json, `llmopt` llmopt_nlp4lp_242.jsonl             |
| complexor    | `orthought` orthought_corrected_complexor_18.json, `llmopt` llmopt_complexor_18.jsonl,        |
|              | `coe` coe_ComplexOR/<problem>/{description.txt, sample.json}                                 |
| logior       | `problems` problems/<prob_id>/{question.txt, answer.json}, `summary` orthought_logior_summary_92.json |
| structuredor | `all` every *.json below the folder, `train` train/, `test` test/ (one instance per file)     |

Ids read `benchmark/variant/key`, the key being the file's own id or index where it has one, else the 0-based line
position; StructuredOR ids are `structuredor/<path without .json>` whatever the variant. The NL4OPT competition
files carry no objective value and are not loaded.

Labels: "No Best Solution" (SIRL) and other infeasible/unbounded wordings map to that status; SIRL's -9999 means
"no trustworthy answer" and maps to `unknown`; a null ground truth in ORThought's files means infeasible (their
ComplexOR `multi` instance is infeasible under its stated data). ReSocratic's `results` hold named values whose
last entry is taken as the objective, as SIRL's copy of OptiBench does; `corrections/optimization.json` overrides
the default variant's items where that is wrong (the other ReSocratic variants are not curated). A record that
cannot be read is skipped with a warning, never fatal.

Defaults prefer re-labelled files (SIRL's fixed MAMO, ORThought's corrected sets, LLMOPT's re-labelled NL4OPT),
then files with bad items dropped (LLM4OR's clean OptiBench), then the originals.
"""

import csv
import json
import logging
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from corta.errors import ConfigError, DatasetError

if TYPE_CHECKING:
    from corta.datasets.corrections import Corrections

log = logging.getLogger(__name__)

Status = Literal["optimal", "infeasible", "unbounded", "unknown"]

_NO_ANSWER = -9999.0
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_INFEASIBLE_WORDS = ("infeasible", "no feasible", "no best solution", "no solution", "no optimal")
_SECTION_KEYS = {
    "set": "set", "sets": "set", "parameter": "parameter", "parameters": "parameter",
    "variable": "variable", "variables": "variable", "objective": "objective", "objectives": "objective",
    "constraint": "constraint", "constraints": "constraint",
}  # fmt: skip
_QUESTION_KEYS = ("question", "en_question", "description", "problem", "text")
_ANSWER_KEYS = ("answer", "en_answer", "optimal_value", "objective_value", "ground_truth", "objective", "obj")


class OptProblem(BaseModel):
    """One benchmark item: a word problem and its gold label."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1)
    benchmark: str
    question: str = Field(min_length=1)
    answer: float | None
    status: Status
    model: dict[str, Any] | None = None
    source_file: str
    correction: str | None = None

    @model_validator(mode="after")
    def _label_is_consistent(self) -> "OptProblem":
        if not self.question.strip():
            raise ValueError("the question is blank")
        if self.status == "optimal" and (self.answer is None or not math.isfinite(self.answer)):
            raise ValueError("an optimal label needs a finite answer")
        if self.status != "optimal" and self.answer is not None:
            raise ValueError(f"a {self.status} label has no answer")
        return self


def parse_answer(raw: object) -> tuple[float | None, Status]:
    """Read a gold label: a number, a numeric string (commas, units, brackets allowed) or a status word.

    A string holding several numbers, or none and no status word, is `unknown`, as is SIRL's -9999.
    """
    if isinstance(raw, list) and len(raw) == 1:
        return parse_answer(raw[0])
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    elif isinstance(raw, str):
        text = raw.strip().lower().replace("\u2212", "-")
        infeasible = any(word in text for word in _INFEASIBLE_WORDS)
        unbounded = "unbounded" in text
        if infeasible != unbounded:
            return None, "infeasible" if infeasible else "unbounded"
        numbers = _NUMBER.findall(_THOUSANDS.sub("", text))
        if infeasible or len(numbers) != 1:
            return None, "unknown"
        value = float(numbers[0])
    else:
        return None, "unknown"
    if not math.isfinite(value) or value == _NO_ANSWER:
        return None, "unknown"
    return value, "optimal"


class _Source(Protocol):
    def __call__(self, path: Path, benchmark: str, variant: str) -> list[OptProblem]: ...


class Loader(Protocol):
    """Load one benchmark from its folder; `variant` None means the default."""

    def __call__(self, folder: Path, variant: str | None = None) -> list[OptProblem]: ...


@dataclass(frozen=True)
class _Variant:
    path: str
    read: _Source


@dataclass(frozen=True)
class _Fields:
    question: str
    answer: str
    key: str | None


def _build(
    benchmark: str, variant: str, key: object, question: object, raw: object, source: Path
) -> OptProblem:
    if not isinstance(question, str):
        raise TypeError(f"the question is {type(question).__name__}, not text")
    answer, status = parse_answer(raw)
    return OptProblem(
        id=f"{benchmark}/{variant}/{key}",
        benchmark=benchmark,
        question=question,
        answer=answer,
        status=status,
        source_file=source.name,
    )


def _collect(
    items: Iterable[tuple[object, Any]], build: Callable[[object, Any], OptProblem], source: Path
) -> list[OptProblem]:
    problems: list[OptProblem] = []
    skipped = 0
    for position, record in items:
        try:
            problems.append(build(position, record))
        except (KeyError, IndexError, TypeError, ValueError) as error:
            skipped += 1
            log.warning("%s: skipped record %s: %s", source.name, position, error)
    if skipped:
        log.warning("%s: skipped %d of %d records", source.name, skipped, skipped + len(problems))
    return problems


def _require(path: Path) -> Path:
    if not path.exists():
        raise DatasetError(f"Benchmark data not found: {path}.")
    return path


def _read_text(path: Path) -> str:
    try:
        return _require(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError(f"Cannot read benchmark file {path}: {error}.") from None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as error:
        raise DatasetError(f"Benchmark file {path} is not valid JSON: {error}.") from None


def _jsonl_lines(path: Path) -> list[tuple[int, str]]:
    lines = [line for line in _read_text(path).splitlines() if line.strip()]
    return list(enumerate(lines))


def _read_fields_jsonl(path: Path, benchmark: str, variant: str, fields: _Fields) -> list[OptProblem]:
    def build(position: object, line: str) -> OptProblem:
        record = json.loads(line)
        key = position if fields.key is None else record[fields.key]
        return _build(benchmark, variant, key, record[fields.question], record[fields.answer], path)

    return _collect(_jsonl_lines(path), build, path)


def _resocratic_build(benchmark: str, variant: str, path: Path, record: dict[str, Any]) -> OptProblem:
    results = record["results"]
    if not isinstance(results, dict) or not results:
        raise ValueError("no results")
    return _build(benchmark, variant, record["index"], record["question"], list(results.values())[-1], path)


def _read_resocratic(path: Path, benchmark: str, variant: str) -> list[OptProblem]:
    if path.suffix == ".jsonl":
        records = [(position, json.loads(line)) for position, line in _jsonl_lines(path)]
    else:
        records = list(enumerate(_read_json(path)))
    return _collect(records, lambda _, record: _resocratic_build(benchmark, variant, path, record), path)


def _orthought_label(raw: object) -> object:
    return "infeasible" if raw is None else raw


def _read_orthought_summary(path: Path, benchmark: str, variant: str) -> list[OptProblem]:
    def build(key: object, record: dict[str, Any]) -> OptProblem:
        label = _orthought_label(record["ground_truth"])
        return _build(benchmark, variant, key, record["description"], label, path)

    return _collect(_read_json(path).items(), build, path)


def _with_data(description: str, data: dict[str, Any], meanings: dict[str, str] | None = None) -> str:
    parts = [description.strip()]
    if meanings:
        lines = "\n".join(f"{name}: {meaning}" for name, meaning in meanings.items())
        parts.append(f"The following parameters are included in this problem:\n{lines}")
    parts.append(f"The following data is included in this problem:\n{json.dumps(data)}")
    return "\n\n".join(parts)


def _read_orthought_complexor(path: Path, benchmark: str, variant: str) -> list[OptProblem]:
    def build(key: object, record: dict[str, Any]) -> OptProblem:
        sample = record["sample"][0]
        data = {name: entry["value"] for name, entry in sample["input"].items()}
        meanings = {name: entry.get("description", "") for name, entry in sample["input"].items()}
        question = _with_data(record["description"], data, meanings)
        return _build(benchmark, variant, key, question, _orthought_label(sample["output"][0]), path)

    return _collect(_read_json(path).items(), build, path)


def _read_coe_folders(path: Path, benchmark: str, variant: str) -> list[OptProblem]:
    def build(key: object, folder: Path) -> OptProblem:
        sample = json.loads((folder / "sample.json").read_text(encoding="utf-8"))[0]
        question = _with_data((folder / "description.txt").read_text(encoding="utf-8"), sample["input"])
        return _build(benchmark, variant, key, question, sample["output"], folder / "sample.json")

    folders = sorted(entry for entry in _require(path).iterdir() if entry.is_dir())
    return _collect(((folder.name, folder) for folder in folders), build, path)


def _read_logior_problems(path: Path, benchmark: str, variant: str) -> list[OptProblem]:
    def build(key: object, folder: Path) -> OptProblem:
        label = json.loads((folder / "answer.json").read_text(encoding="utf-8"))
        status = str(label.get("status", "")).lower()
        raw = label.get("obj") if status == "optimal" else status
        question = (folder / "question.txt").read_text(encoding="utf-8")
        return _build(benchmark, variant, key, question, raw, folder / "answer.json")

    folders = sorted(entry for entry in _require(path).iterdir() if entry.is_dir())
    return _collect(((folder.name, folder) for folder in folders), build, path)


def _read_optimind_csv(path: Path, benchmark: str, variant: str) -> list[OptProblem]:
    rows = csv.DictReader(_read_text(path).splitlines())
    return _collect(
        enumerate(rows),
        lambda key, row: _build(benchmark, variant, key, row["question"], row["answer"], path),
        path,
    )


def _lower_keys(record: dict[str, Any]) -> dict[str, Any]:
    return {str(key).strip().lower(): value for key, value in record.items()}


def _structured_model(record: dict[str, Any]) -> dict[str, list[Any]] | None:
    nested = record.get("model")
    sources = [_lower_keys(nested), record] if isinstance(nested, dict) else [record]
    model: dict[str, list[Any]] = {}
    for source in sources:
        for key, value in source.items():
            section = _SECTION_KEYS.get(key)
            if section and isinstance(value, dict | list) and section not in model:
                model[section] = value if isinstance(value, list) else [value]
    return model or None


def _is_label(value: Any) -> bool:
    if isinstance(value, list):
        return len(value) == 1 and _is_label(value[0])
    return isinstance(value, int | float | str) and not isinstance(value, bool)


def _first(record: dict[str, Any], keys: Iterable[str], accept: Callable[[Any], bool]) -> Any:
    for key in keys:
        if key in record and accept(record[key]):
            return record[key]
    return None


def _structuredor_build(root: Path, file: Path) -> OptProblem:
    data = json.loads(file.read_text(encoding="utf-8-sig"))
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        raise ValueError("not one JSON object")
    record = _lower_keys(data)
    question = _first(record, _QUESTION_KEYS, lambda value: isinstance(value, str) and bool(value.strip()))
    if question is None:
        raise ValueError(f"no question (looked for {', '.join(_QUESTION_KEYS)})")
    answer, status = parse_answer(_first(record, _ANSWER_KEYS, _is_label))
    return OptProblem(
        id=f"structuredor/{file.relative_to(root).with_suffix('').as_posix()}",
        benchmark="structuredor",
        question=question,
        answer=answer,
        status=status,
        model=_structured_model(record),
        source_file=file.name,
    )


def _read_structuredor(path: Path, benchmark: str, variant: str) -> list[OptProblem]:
    files = sorted(_require(path).rglob("*.json"))
    if not files:
        raise DatasetError(f"No StructuredOR JSON files found under {path}.")
    root = path if variant == "all" else path.parent
    return _collect(
        ((file.name, file) for file in files), lambda _, file: _structuredor_build(root, file), path
    )


def _fields(question: str, answer: str, key: str | None) -> _Source:
    return partial(_read_fields_jsonl, fields=_Fields(question, answer, key))


_LLMOPT = _fields("question", "answer", "index")
_SIRL = _fields("en_question", "en_answer", None)
_MAMO = _fields("Question", "Answer", "id")

VARIANTS: dict[str, dict[str, _Variant]] = {
    "nl4opt": {
        "llmopt": _Variant("llmopt_nl4opt_test_230.jsonl", _LLMOPT),
        "sirl": _Variant("sirl_NL4OPT_245.jsonl", _SIRL),
        "resocratic": _Variant("resocratic_NL4OPT-E_289.json", _read_resocratic),
    },
    "mamo_easy": {
        "sirl": _Variant("sirl_MAMO_EasyLP_fixed_642.jsonl", _SIRL),
        "original": _Variant("mamo_easy_lp_652.jsonl", _MAMO),
        "clean": _Variant("llm4or_survey_clean_easy_lp_545.jsonl", _MAMO),
    },
    "mamo_complex": {
        "sirl": _Variant("sirl_MAMO_ComplexLP_fixed_203.jsonl", _SIRL),
        "original": _Variant("mamo_complex_lp_211.jsonl", _MAMO),
        "optimind": _Variant("optimind_cleaned_mamo_complex_210.csv", _read_optimind_csv),
        "clean": _Variant("llm4or_survey_clean_complex_lp_111.jsonl", _MAMO),
    },
    "optibench": {
        "clean": _Variant("llm4or_survey_clean_optibench_403.jsonl", _read_resocratic),
        "resocratic": _Variant("OptiBench_605.json", _read_resocratic),
        "sirl": _Variant("sirl_OptiBench_605.jsonl", _SIRL),
        "track3": _Variant("llmopt_icml2024_track3_test_410.jsonl", _LLMOPT),
    },
    "nlp4lp": {
        "orthought": _Variant("orthought_corrected_nlp4lp_264.json", _read_orthought_summary),
        "llmopt": _Variant("llmopt_nlp4lp_242.jsonl", _LLMOPT),
    },
    "complexor": {
        "orthought": _Variant("orthought_corrected_complexor_18.json", _read_orthought_complexor),
        "llmopt": _Variant("llmopt_complexor_18.jsonl", _LLMOPT),
        "coe": _Variant("coe_ComplexOR", _read_coe_folders),
    },
    "logior": {
        "problems": _Variant("problems", _read_logior_problems),
        "summary": _Variant("orthought_logior_summary_92.json", _read_orthought_summary),
    },
    "structuredor": {
        "all": _Variant(".", _read_structuredor),
        "train": _Variant("train", _read_structuredor),
        "test": _Variant("test", _read_structuredor),
    },
}
FOLDERS = {name: "mamo" if name.startswith("mamo_") else name for name in VARIANTS}


def _variant(benchmark: str, variant: str | None) -> tuple[str, _Variant]:
    choices = VARIANTS[benchmark]
    name = variant or next(iter(choices))
    if name not in choices:
        raise ConfigError(f"Unknown {benchmark} variant {name!r}; known: {', '.join(choices)}.")
    return name, choices[name]


def _loader(benchmark: str) -> Loader:
    def load(folder: Path, variant: str | None = None) -> list[OptProblem]:
        name, chosen = _variant(benchmark, variant)
        return chosen.read(_require(folder) / chosen.path, benchmark, name)

    return load


LOADERS: dict[str, Loader] = {name: _loader(name) for name in VARIANTS}


def load_benchmark(
    name: str, root: Path, variant: str | None = None, corrections: "Corrections | None" = None
) -> list[OptProblem]:
    """Load benchmark `name` from `root/<its folder>`, applying `corrections` when given.

    Raises
    ------
    DatasetError
        If the benchmark's folder or file is missing or is not valid JSON; the message names the path.
    ConfigError
        If `name` or `variant` is unknown; the message lists the known ones.
    """
    if name not in LOADERS:
        raise ConfigError(f"Unknown benchmark {name!r}; known: {', '.join(LOADERS)}.")
    problems = LOADERS[name](Path(root) / FOLDERS[name], variant)
    return corrections.apply(problems) if corrections else problems
