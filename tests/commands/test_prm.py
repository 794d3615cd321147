"""`corta prm train` and `corta prm eval` on the four models that carry their own question, and their errors."""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corta.commands.prm import prm_app

FIXTURES = Path(__file__).parents[1] / "fixtures" / "models"
runner = CliRunner()


@pytest.fixture
def models(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    for path in FIXTURES.glob("special_*.json"):
        shutil.copy(path, folder / path.name)
    return folder


def test_train_then_eval_writes_the_report(models, tmp_path):
    out, report = tmp_path / "scorer", tmp_path / "results" / "prm_scorer"
    common = ["--models", str(models), "--data", str(tmp_path / "no-data"), "--threads", "1"]
    trained = runner.invoke(
        prm_app,
        ["train", "--out", str(out), "--epochs", "1", "--per-operator", "1", "--max-length", "64", *common],
    )
    assert trained.exit_code == 0, trained.output
    assert "trained on 3 problems" in trained.output and "held out: 1 problems" in trained.output
    evaluated = runner.invoke(
        prm_app, ["eval", "--model", str(out), "--report", str(report), "--json", *common]
    )
    assert evaluated.exit_code == 0, evaluated.output
    record = json.loads(evaluated.stdout)
    assert record["command"].startswith("corta prm eval --model")
    assert record["train_command"].startswith("corta prm train --out")
    assert len(record["held_out_problems"]) == 1 and len(record["train_problems"]) == 3
    assert set(record["metrics"]) >= {"accuracy", "f1", "f1_wrong", "roc_auc", "by_origin"}
    assert json.loads(report.with_name("prm_scorer.json").read_text()) == record
    markdown = report.with_name("prm_scorer.md").read_text()
    assert record["command"] in markdown and "ROC AUC" in markdown


def test_eval_without_a_trained_scorer_is_one_sentence(tmp_path):
    result = runner.invoke(prm_app, ["eval", "--model", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert result.output.strip().startswith("error: No trained PRM scorer at")


def test_cv_holds_every_problem_out_once_and_writes_the_report(models, tmp_path):
    report = tmp_path / "results" / "prm_cv"
    common = ["--models", str(models), "--data", str(tmp_path / "no-data"), "--threads", "1"]
    result = runner.invoke(
        prm_app,
        ["cv", "--folds", "2", "--epochs", "1", "--per-operator", "1", "--max-length", "64",
         "--report", str(report), *common],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "4 problems in 2 folds" in result.output and "pooled ROC AUC" in result.output
    record = json.loads(report.with_name("prm_cv.json").read_text())
    assert record["command"].startswith("corta prm cv --folds 2")
    assert sorted(i for fold in record["folds"] for i in fold) == sorted(
        p.stem.replace("_", "/", 1) for p in models.glob("*.json")
    )
    assert record["pooled"]["examples"] == sum(fold["examples"] for fold in record["fold_metrics"])
    markdown = report.with_name("prm_cv.md").read_text()
    assert record["command"] in markdown and "| pooled | 4 |" in markdown and "| fold 2 | 2 |" in markdown


def test_cv_with_more_folds_than_problems_is_one_sentence(models):
    result = runner.invoke(prm_app, ["cv", "--folds", "9", "--models", str(models), "--data", "no-data"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: Cross-validation needs 2 to 4 folds for 4 problems."
