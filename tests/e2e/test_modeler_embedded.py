"""The modeler on the real embedded model, through the CLI: one-pass modeling answers in the documented contract."""

import json
import subprocess
import sys

import pytest

from corta.solvers.optmodel.schema import load_model
from corta.solvers.optmodel.solve import solve
from tests.agents.modeler.scripted import QUESTION

pytestmark = pytest.mark.e2e


def corta(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "corta.cli", *args], capture_output=True, text=True, timeout=900
    )


def test_cot_models_a_word_problem_and_the_model_solves_to_what_it_reports():
    result = corta("model", "ask", QUESTION, "--method", "cot", "--json")
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["search"]["method"] == "cot"
    assert 1 <= reply["search"]["policy_calls"] <= 2  # one call, and one repair if it did not solve
    assert reply["search"]["tokens"] > 0
    assert reply["status"] in ("optimal", "infeasible", "unbounded", "error")
    if reply["model"] is not None and reply["status"] != "error":
        # The reported outcome is the model's own: solving the returned model again gives the same answer.
        again = solve(load_model(reply["model"]))
        assert again.status == reply["status"]
        if reply["objective"] is not None:
            assert again.objective == pytest.approx(reply["objective"], rel=1e-9)
    names = {parameter["name"] for parameter in (reply["model"] or {}).get("parameter", [])}
    assert reply["model"] is None or names, "the data level names the problem's numbers"


def test_a_non_problem_is_refused_before_any_model_call():
    result = corta("model", "ask", "Tell me a joke about cats.", "--json")
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["status"] == "refused" and reply["search"]["policy_calls"] == 0
