"""Benchmark loaders on the real data in ../shared/data/or, StructuredOR on a folder written here, corrections."""

import json
import logging
import math
import os
import re
from pathlib import Path

import pytest

from corta.datasets.corrections import Correction, Corrections
from corta.datasets.optimization import LOADERS, VARIANTS, OptProblem, load_benchmark, parse_answer
from corta.errors import ConfigError, DatasetError


def data_root() -> Path:
    """The benchmark folders, kept beside the repository (never copied into it)."""
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "or"


# Outside CI a checkout without the benchmark data skips these; in CI (CI=true) the data must be there.
needs_data = pytest.mark.skipif(
    not data_root().is_dir() and not os.environ.get("CI"), reason="benchmark data not at ../shared/data/or"
)

# Record counts of each default variant, as the files determine them (every record loads).
DEFAULT_COUNTS = {
    "nl4opt": 230,  # llmopt_nl4opt_test_230.jsonl
    "mamo_easy": 642,  # sirl_MAMO_EasyLP_fixed_642.jsonl
    "mamo_complex": 203,  # sirl_MAMO_ComplexLP_fixed_203.jsonl
    "optibench": 403,  # llm4or_survey_clean_optibench_403.jsonl
    "nlp4lp": 264,  # orthought_corrected_nlp4lp_264.json
    "complexor": 18,  # orthought_corrected_complexor_18.json
    "logior": 92,  # problems/prob_001 … prob_092
}


def by_id(problems: list[OptProblem]) -> dict[str, OptProblem]:
    return {problem.id: problem for problem in problems}


@needs_data
@pytest.mark.parametrize(("name", "count"), DEFAULT_COUNTS.items())
def test_default_variant_loads_whole_and_well_formed(name: str, count: int) -> None:
    problems = load_benchmark(name, data_root())
    assert len(problems) == count
    assert len({problem.id for problem in problems}) == count
    assert all(problem.id.startswith(f"{name}/") and problem.benchmark == name for problem in problems)
    assert all(problem.question.strip() for problem in problems)
    for problem in problems:
        if problem.status == "optimal":
            assert problem.answer is not None and math.isfinite(problem.answer)
        else:
            assert problem.answer is None


@needs_data
@pytest.mark.parametrize(
    ("name", "variant", "count"),
    [
        ("nl4opt", "sirl", 245),
        ("nl4opt", "resocratic", 289),
        ("mamo_easy", "original", 652),
        ("mamo_easy", "clean", 545),
        ("mamo_complex", "original", 211),
        ("mamo_complex", "optimind", 210),
        ("mamo_complex", "clean", 111),
        ("optibench", "resocratic", 605),
        ("optibench", "sirl", 605),
        ("optibench", "track3", 410),
        ("nlp4lp", "llmopt", 242),
        ("complexor", "llmopt", 18),
        ("complexor", "coe", 18),
        ("logior", "summary", 92),
    ],
)
def test_other_variants_load_whole(name: str, variant: str, count: int) -> None:
    problems = load_benchmark(name, data_root(), variant)
    assert len(problems) == len({problem.id for problem in problems}) == count
    assert all(problem.id.startswith(f"{name}/{variant}/") for problem in problems)


@needs_data
def test_first_records_carry_the_files_answers() -> None:
    root = data_root()
    first_line = (root / "nl4opt" / "llmopt_nl4opt_test_230.jsonl").read_text().splitlines()[0]
    nl4opt = load_benchmark("nl4opt", root)
    assert nl4opt[0].id == "nl4opt/llmopt/1"
    assert nl4opt[0].answer == float(json.loads(first_line)["answer"]) == 1160.0
    assert nl4opt[0].source_file == "llmopt_nl4opt_test_230.jsonl"
    assert by_id(nl4opt)["nl4opt/llmopt/230"].answer == 26.0
    assert load_benchmark("mamo_easy", root)[0].answer == 10000.0
    assert load_benchmark("mamo_complex", root, "original")[0].answer == 57.0
    assert by_id(load_benchmark("nlp4lp", root))["nlp4lp/orthought/prob_000"].answer == 684000.0
    assert by_id(load_benchmark("logior", root))["logior/problems/prob_001"].answer == 537.0


@needs_data
def test_status_words_and_sentinels_map_to_statuses() -> None:
    root = data_root()
    sirl = load_benchmark("nl4opt", root, "sirl")
    assert sum(problem.status == "infeasible" for problem in sirl) == 17  # "No Best Solution"
    assert by_id(sirl)["nl4opt/sirl/111"].status == "infeasible"
    assert [p.id for p in load_benchmark("mamo_easy", root) if p.status == "unknown"] == [
        "mamo_easy/sirl/629"
    ]
    assert [p.id for p in load_benchmark("mamo_complex", root) if p.status == "unknown"] == [
        "mamo_complex/sirl/69"
    ]
    nlp4lp = load_benchmark("nlp4lp", root)
    assert sum(problem.status == "infeasible" for problem in nlp4lp) == 22  # null ground truths
    assert by_id(nlp4lp)["nlp4lp/orthought/prob_002"].status == "infeasible"
    assert (
        by_id(load_benchmark("complexor", root))["complexor/orthought/prob_011_multi"].status == "infeasible"
    )


@needs_data
def test_each_source_format_is_read_as_its_file_states() -> None:
    root = data_root()
    # ReSocratic keeps full precision where SIRL's copy rounds to two decimals.
    assert by_id(load_benchmark("optibench", root, "resocratic"))[
        "optibench/resocratic/13"
    ].answer == pytest.approx(0.35355235026576626)
    assert by_id(load_benchmark("optibench", root, "sirl"))["optibench/sirl/13"].answer == 0.35
    assert load_benchmark("mamo_complex", root, "optimind")[0].answer == 18.0  # "[18.0]" in the CSV
    complexor = by_id(load_benchmark("complexor", root))["complexor/orthought/prob_000_aircraft_assignment"]
    assert complexor.answer == 700.0
    assert '"availability": [2, 3, 1]' in complexor.question  # the sample's data is part of the question
    assert by_id(load_benchmark("complexor", root, "coe"))["complexor/coe/cell_tower"].answer == 200.0
    logior = by_id(load_benchmark("logior", root))["logior/problems/prob_002"]
    assert "assign four flights" in logior.question  # the processed question, not the summary's "three"
    assert all(problem.model is None for problem in load_benchmark("logior", root))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1160, (1160.0, "optimal")),
        ("1160.0", (1160.0, "optimal")),
        ("$1,160.5 dollars", (1160.5, "optimal")),
        ("[18.0]", (18.0, "optimal")),
        ([700], (700.0, "optimal")),
        ("-3.5e2", (-350.0, "optimal")),
        ("No Best Solution", (None, "infeasible")),
        ("Infeasible", (None, "infeasible")),
        ("the problem is unbounded", (None, "unbounded")),
        ("infeasible or unbounded", (None, "unknown")),
        ("", (None, "unknown")),
        (None, (None, "unknown")),
        ("x = 3, y = 4", (None, "unknown")),
        ("-9999", (None, "unknown")),
        (float("nan"), (None, "unknown")),
        (True, (None, "unknown")),
    ],
)
def test_parse_answer(raw: object, expected: tuple[float | None, str]) -> None:
    assert parse_answer(raw) == expected


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def structuredor_copy(root: Path) -> Path:
    folder = root / "structuredor"
    write_json(
        folder / "train" / "a.json",
        {
            "Question": "Buy at least 2 units of x at cost 3 each.",
            "Answer": "6",
            "Set": {"name": "I", "description": "items", "data": [1]},
            "PARAMETERS": [{"name": "c", "description": "cost", "domain": "", "data": 3}],
            "Variable": {"name": "x", "description": "units", "domain": "", "type": "INTEGER"},
            "Objective": [{"name": "cost", "description": "", "sense": "min", "function": "c * x"}],
            "constraint": [{"name": "need", "description": "", "domain": "", "function": "x >= 2"}],
        },
    )
    write_json(
        folder / "test" / "0.json",
        [
            {
                "description": "Maximize y subject to y <= 4.",
                "optimal_value": 4.0,
                "model": {
                    "variables": [{"name": "y", "description": "", "domain": "", "type": "CONTINUOUS"}],
                    "objective": {"name": "obj", "description": "", "sense": "max", "function": "y"},
                },
            }
        ],
    )
    return folder


def test_structuredor_folder_loads_with_models_kept(tmp_path: Path) -> None:
    structuredor_copy(tmp_path)
    problems = by_id(load_benchmark("structuredor", tmp_path))
    assert sorted(problems) == ["structuredor/test/0", "structuredor/train/a"]
    train = problems["structuredor/train/a"]
    assert (train.answer, train.status, train.source_file) == (6.0, "optimal", "a.json")
    assert train.model is not None
    assert sorted(train.model) == ["constraint", "objective", "parameter", "set", "variable"]
    assert train.model["set"] == [{"name": "I", "description": "items", "data": [1]}]
    assert train.model["variable"][0]["type"] == "INTEGER"
    test = problems["structuredor/test/0"]
    assert (test.question, test.answer) == ("Maximize y subject to y <= 4.", 4.0)
    assert test.model == {
        "variable": [{"name": "y", "description": "", "domain": "", "type": "CONTINUOUS"}],
        "objective": [{"name": "obj", "description": "", "sense": "max", "function": "y"}],
    }
    only_test = load_benchmark("structuredor", tmp_path, "test")
    assert [problem.id for problem in only_test] == ["structuredor/test/0"]


def test_a_bad_record_is_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = structuredor_copy(tmp_path)
    (folder / "test" / "broken.json").write_text("{not json")
    write_json(folder / "test" / "no_question.json", {"answer": 3})
    with caplog.at_level(logging.WARNING, logger="corta.datasets.optimization"):
        problems = LOADERS["structuredor"](folder, "test")
    assert [problem.id for problem in problems] == ["structuredor/test/0"]
    assert "skipped 2 of 3 records" in caplog.text
    assert "no_question.json" in caplog.text


def test_a_bad_line_in_a_jsonl_file_is_skipped(tmp_path: Path) -> None:
    lines = [
        json.dumps({"question": "Q1", "answer": 5, "index": 1}),
        "{broken",
        json.dumps({"answer": 7, "index": 3}),
        json.dumps({"question": "Q4", "answer": "No Best Solution", "index": 4}),
    ]
    (tmp_path / "nl4opt").mkdir()
    (tmp_path / "nl4opt" / "llmopt_nl4opt_test_230.jsonl").write_text("\n".join(lines))
    problems = load_benchmark("nl4opt", tmp_path)
    assert [(p.id, p.answer, p.status) for p in problems] == [
        ("nl4opt/llmopt/1", 5.0, "optimal"),
        ("nl4opt/llmopt/4", None, "infeasible"),
    ]


def test_missing_paths_raise_dataset_errors_naming_them(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=re.escape(str(tmp_path / "nl4opt"))):
        load_benchmark("nl4opt", tmp_path)
    (tmp_path / "nl4opt").mkdir()
    with pytest.raises(DatasetError, match=re.escape("llmopt_nl4opt_test_230.jsonl")):
        load_benchmark("nl4opt", tmp_path)
    (tmp_path / "structuredor").mkdir()
    with pytest.raises(DatasetError, match="No StructuredOR JSON files"):
        load_benchmark("structuredor", tmp_path)
    with pytest.raises(DatasetError, match="test"):
        load_benchmark("structuredor", tmp_path, "test")


def test_unknown_names_raise_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="known: nl4opt"):
        load_benchmark("nl5opt", tmp_path)
    with pytest.raises(ConfigError, match="llmopt, sirl, resocratic"):
        load_benchmark("nl4opt", tmp_path, "newest")


def test_every_benchmark_has_a_loader_and_a_default() -> None:
    assert set(LOADERS) == set(VARIANTS) == {*DEFAULT_COUNTS, "structuredor"}


@needs_data
def test_shipped_corrections_apply_and_are_reported() -> None:
    corrections = Corrections.load()
    assert corrections.entries, "the shipped file holds the documented corrections"
    assert all(entry.source and entry.reason for entry in corrections.entries)
    plain = load_benchmark("optibench", data_root())
    assert by_id(plain)["optibench/clean/4"].answer == 0.0  # the file's last `results` entry
    corrected = by_id(load_benchmark("optibench", data_root(), corrections=corrections))
    assert corrected["optibench/clean/4"].answer == 2.0
    assert corrected["optibench/clean/4"].correction == corrections.entries[0].reason
    assert corrected["optibench/clean/0"] == by_id(plain)["optibench/clean/0"]
    assert sum(problem.correction is not None for problem in corrected.values()) == len(corrections.entries)
    report = corrections.report(list(corrected.values()))
    assert [row["id"] for row in report] == [entry.id for entry in corrections.entries]
    assert report[0] == corrections.entries[0].model_dump()
    assert corrections.report(load_benchmark("nl4opt", data_root())) == []


@needs_data
def test_every_shipped_correction_names_a_loaded_item() -> None:
    loaded = {
        problem.id
        for name in DEFAULT_COUNTS
        for variant in VARIANTS[name]
        for problem in load_benchmark(name, data_root(), variant)
    }
    assert {entry.id for entry in Corrections.load().entries} <= loaded


def test_corrections_override_labels_and_set_the_reason() -> None:
    problem = OptProblem(
        id="b/v/1", benchmark="b", question="Q", answer=5.0, status="optimal", source_file="f"
    )
    other = problem.model_copy(update={"id": "b/v/2"})
    entry = Correction(
        id="b/v/1", answer=None, status="infeasible", reason="x >= 3 and x <= 2", source="README"
    )
    applied = Corrections(entries=(entry,)).apply([problem, other])
    assert (applied[0].answer, applied[0].status, applied[0].correction) == (
        None,
        "infeasible",
        "x >= 3 and x <= 2",
    )
    assert applied[1] == other
    assert problem.answer == 5.0  # the input list is left as it was


def test_invalid_corrections_files_raise_dataset_errors(tmp_path: Path) -> None:
    entry = {"id": "b/v/1", "answer": 1.0, "status": "optimal", "reason": "r", "source": "s"}
    write_json(tmp_path / "twice.json", [entry, entry])
    with pytest.raises(DatasetError, match="corrected more than once: b/v/1"):
        Corrections.load(tmp_path / "twice.json")
    write_json(tmp_path / "labels.json", [{**entry, "status": "infeasible"}])
    with pytest.raises(DatasetError, match="optimal status needs a finite answer"):
        Corrections.load(tmp_path / "labels.json")
    with pytest.raises(DatasetError, match=re.escape("absent.json")):
        Corrections.load(tmp_path / "absent.json")
