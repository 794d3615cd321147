"""The Long-to-Short evaluation: reading the answer from a reply, one model's records, and the comparison."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corta.cli import app
from corta.datasets.evaluate import run_evaluation
from corta.datasets.l2s_eval import L2SModelTask, extract_answer, write_comparison
from corta.datasets.l2s_problems import RECHECK, generate_problems
from corta.errors import ConfigError
from tests.models.merging.tiny_models import save_tiny_llama


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("The answer is 23.", 23),
        ("3 × 4 = 12\nThe answer is 1,250.", 1250),
        ("The answer is 5. Wait, the answer is $7", 7),
        ("so each gets 9 coins", 9),
        ("I do not know.", None),
        ("The answer is -4.", -4),
    ],
)
def test_the_answer_is_the_last_stated_one_else_the_last_integer(reply: str, answer: int | None) -> None:
    assert extract_answer(reply) == answer


def test_a_model_answers_each_problem_with_its_length(tmp_path: Path) -> None:
    model = save_tiny_llama(tmp_path / "m", vocab=320, hidden=32, tokenizer=True)
    task = L2SModelTask(model, max_new_tokens=6)
    problem = generate_problems(1, seed=5)[0]
    record = task.run(problem)
    assert record["category"] == "arithmetic" and record["expected"] == problem.answer
    assert 1 <= record["tokens"] <= 6 and record["cut_off"] == (record["tokens"] == 6)
    assert record["success"] == (record["answer"] == problem.answer)
    with pytest.raises(ConfigError, match="Cannot load the model"):
        L2SModelTask(tmp_path / "absent").run(problem)


def test_problems_generated_together_get_the_replies_of_one_at_a_time(tmp_path: Path) -> None:
    model = save_tiny_llama(tmp_path / "m", vocab=320, hidden=32, tokenizer=True)
    problems = generate_problems(5, seed=7)
    alone = run_evaluation(L2SModelTask(model, 12), problems, tmp_path / "alone", progress=False)
    together = run_evaluation(
        L2SModelTask(model, 12, batch_size=3), problems, tmp_path / "together", workers=3, progress=False
    )
    replies = {
        name: {r.id: (r.model_dump()["reply"], r.model_dump()["tokens"]) for r in summary.records}
        for name, summary in (("alone", alone), ("together", together))
    }
    assert replies["alone"] == replies["together"] and len(replies["alone"]) == 5


def test_a_batch_that_fails_is_each_of_its_items_error_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = save_tiny_llama(tmp_path / "m", vocab=320, hidden=32, tokenizer=True)
    task = L2SModelTask(model, 4, batch_size=2)
    loaded, _ = task._model()
    monkeypatch.setattr(loaded, "generate", lambda **_: (_ for _ in ()).throw(RuntimeError("out of memory")))
    summary = run_evaluation(task, generate_problems(3, seed=2), tmp_path / "out", workers=2, progress=False)
    assert len(summary.records) == 3
    assert all(record.error == "RuntimeError: out of memory" for record in summary.records)


def fake_results(
    root: Path, name: str, correct: int, tokens: float, items: int = 10, re_checking: int = 0
) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    step = "3 × 4 = 12."
    lines = [
        {
            "id": f"p/{i}",
            "category": "arithmetic",
            "success": i < correct,
            "tokens": tokens,
            "reply": f"{step}\n{RECHECK} {step} Yes, it holds." if i < re_checking else step,
        }
        for i in range(items)
    ]
    (folder / "results.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")


def test_the_comparison_reports_each_merge_against_system_2_and_the_target(tmp_path: Path) -> None:
    fake_results(tmp_path, "system1", correct=3, tokens=8)
    fake_results(tmp_path, "system2", correct=8, tokens=100, re_checking=10)
    fake_results(tmp_path, "merged-ties", correct=8, tokens=55, re_checking=4)
    fake_results(tmp_path, "merged-task-arithmetic", correct=7, tokens=40)
    text = write_comparison(tmp_path, "system1", "system2", "corta eval l2s …").read_text()
    assert "| merged-ties | merge | 10 | 0.800 | 55.0 | +0.0 | -45.0% | 40% | 0 |" in text
    assert "| merged-task-arithmetic | merge | 10 | 0.700 | 40.0 | -10.0 | -60.0% | 0% | 0 |" in text
    assert "| system2 | System 2 | 10 | 0.800 | 100.0 | +0.0 | +0.0% | 100% | 0 |" in text
    assert "| system1 | System 1 |" in text and "met by merged-ties." in text
    assert (tmp_path / "accuracy_vs_length.png").stat().st_size > 1000
    with pytest.raises(ConfigError, match="No results for System 2"):
        write_comparison(tmp_path, "system1", "absent", "…")


def test_corta_eval_l2s_runs_each_model_and_writes_the_comparison(tmp_path: Path) -> None:
    one = save_tiny_llama(tmp_path / "system1", vocab=320, hidden=32, tokenizer=True)
    two = save_tiny_llama(tmp_path / "system2", seed=1, vocab=320, hidden=32, tokenizer=True)
    out = tmp_path / "report"
    arguments = [
        "eval",
        "l2s",
        str(one),
        str(two),
        "--out",
        str(out),
        "--problems",
        "2",
        "--max-new-tokens",
        "8",
    ]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert len((out / "system2" / "results.jsonl").read_text().splitlines()) == 2
    assert "corta eval l2s" in (out / "comparison.md").read_text()
    refused = CliRunner().invoke(app, ["eval", "l2s", str(one), "--out", str(out)])
    assert refused.exit_code == 1 and "Name System 1 and System 2" in refused.stderr
