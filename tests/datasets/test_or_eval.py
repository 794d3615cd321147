"""The OR evaluation task: strict scoring, a method run on scripted problems, and the side-by-side comparison."""

import json
from pathlib import Path

import pytest

from corta.datasets.evaluate import run_evaluation, write_report
from corta.datasets.optimization import OptProblem
from corta.datasets.or_compare import write_comparison
from corta.datasets.or_eval import ModelerTask, failure_kind, is_correct
from corta.models.llm import LLM
from corta.models.runtime.endpoint import Endpoint
from tests.agents.modeler.scripted import (
    BEST,
    MARKET_FLOOR,
    QUESTION,
    RIGHT,
    WRONG_SENSE,
    Policy,
    PrefersAWrongMarket,
)
from tests.helpers.stub_openai_server import StubServer


def problem(answer: float | None, status: str = "optimal", key: str = "1") -> OptProblem:
    return OptProblem(
        id=f"toy/{key}",
        benchmark="toy",
        question=QUESTION,
        answer=answer,
        status=status,
        source_file="toy.jsonl",
    )  # type: ignore[arg-type]


def test_scoring_is_strict_and_counts_every_failure() -> None:
    gold = problem(121.0)
    assert is_correct(gold, "optimal", 121.0000001, 1e-6)
    assert not is_correct(gold, "optimal", 121.01, 1e-6)
    assert is_correct(gold, "optimal", 121.01, 1e-4)
    assert is_correct(gold, "optimal", 126.0, 0.05) and not is_correct(gold, "optimal", 128.0, 0.05)
    assert not is_correct(gold, "error", None, 0.05)
    assert is_correct(problem(None, "infeasible"), "infeasible", None, 1e-6)
    assert not is_correct(problem(None, "infeasible"), "optimal", 3.0, 1e-6)
    assert failure_kind(gold, "optimal", 3.0) == "wrong_value"
    assert failure_kind(gold, "error", None) == "no_model"


def test_methods_run_resumably_and_compare_side_by_side(tmp_path: Path) -> None:
    policy = Policy(full_by_seed=lambda seed: WRONG_SENSE)
    items = [problem(BEST, key="1"), problem(BEST, key="2")]
    with StubServer(responder=Policy()) as good, StubServer(responder=policy) as bad:
        for name, server, run_items in (
            ("cot", good, items),
            ("cot-wrong", bad, items),
            ("cut-short", bad, items[:1]),
        ):
            llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
            run_evaluation(ModelerTask(llm, "cot"), run_items, tmp_path / name, progress=False)
            write_report(tmp_path / name, name)
    records = [json.loads(line) for line in (tmp_path / "cot" / "results.jsonl").read_text().splitlines()]
    assert [record["correct_1e-6"] for record in records] == [True, True]
    assert all(record["policy_calls"] == 1 and record["tokens"] > 0 for record in records)
    wrong = [json.loads(line) for line in (tmp_path / "cot-wrong" / "results.jsonl").read_text().splitlines()]
    assert {record["failure"] for record in wrong} == {"wrong_value"}
    assert {record["diagnosis"] for record in wrong} == {"objective sense"}
    assert wrong[0]["model"]["objective"]["sense"] == "min"
    rows = {row["measure"]: row["value"] for row in ModelerTask(None, "cot").summarize(wrong)}  # type: ignore[arg-type]
    assert rows["wrong value, fixed by changing: objective sense"] == 2
    comparison = write_comparison(tmp_path, "toy").read_text()
    assert "| cot | 2 | 1.000" in comparison and "| cot-wrong | 2 | 0.000" in comparison
    shared = comparison.split("## On the 1 items every method ran")[1].split("##")[0]
    assert "| cot | 1 | 1.000" in shared and "| cut-short | 1 | 0.000" in shared
    assert "| cot | cot-wrong | 2 | 2 | 0 | 0.500 |" in comparison
    assert "| cot-wrong | cut-short | 1 | 0 | 0 | 1.000 |" in comparison
    assert (tmp_path / "accuracy_vs_calls.png").stat().st_size > 0


@pytest.mark.parametrize("method", ["cot", "sc"])
def test_the_task_names_itself_by_method(method: str) -> None:
    llm = LLM(Endpoint(base_url="http://127.0.0.1:9/v1", model="none", engine="url"))
    assert ModelerTask(llm, method).name == f"or-{method}"


def test_a_bpp_record_says_what_the_witness_did_and_the_answer_without_it(tmp_path: Path) -> None:
    replies = iter(
        [MARKET_FLOOR] + [RIGHT] * 20
    )  # the first L3 proposal reads the market cap as a floor; the PRM prefers it
    scripted = Policy(l3_by_seed=lambda seed: next(replies))
    with StubServer(responder=scripted) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        task = ModelerTask(llm, "bpp", prm=PrefersAWrongMarket())
        run_evaluation(task, [problem(BEST)], tmp_path / "bpp", progress=False)
    (record,) = [json.loads(line) for line in (tmp_path / "bpp" / "results.jsonl").read_text().splitlines()]
    assert record["correct_1e-6"] and record["witness"] == "confirmed"
    assert record["correct_without_witness"] is False
    rows = {row["measure"]: row["value"] for row in task.summarize([record])}
    assert rows["accuracy at 1e-6 without the witness (best-scored finalist)"] == 0.0
    assert rows["witness confirmed (correct)"] == "1 (1)"
