"""`corta route ask`: the JSON contract against a stub OpenAI server (`--model <its base URL>`)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corta.agents.router import prefilter
from corta.agents.router.constraint_db import TEMPLATES
from corta.cli import app
from tests.agents.router.scripted import Policy
from tests.helpers.stub_openai_server import StubServer

runner = CliRunner()


def test_route_ask_prints_the_solve_contract_with_the_code_and_the_rounds(
    instance: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every template is a candidate: the encoder is tested on its own (test_prefilter.py).
    monkeypatch.setattr(prefilter, "Prefilter", lambda: lambda description: list(TEMPLATES))
    policy = Policy(["same_vehicle.together"], {"same_vehicle.together": {"groups": [[13, 23]]}})
    plot = tmp_path / "plan.png"
    with StubServer(responder=policy) as server:
        result = runner.invoke(
            app,
            [
                "route", "ask", "Nodes [13, 23] must be on the same route.", "--instance", str(instance),
                "--seconds", "1", "--model", server.base_url, "--plot", str(plot), "--json",
            ],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {"routes", "cost", "feasible", "violations", "seconds", "code", "rounds"} <= set(payload)
    assert set(payload["code"]) == {"check_constraints", "penalty"}
    assert "for group in [[13, 23]]" in payload["code"]["check_constraints"]
    assert payload["feasible"] and payload["violations"] == [] and payload["rounds"] == 0
    assert any(13 in route and 23 in route for route in payload["routes"])
    assert payload["constraints"] == [
        {
            "template": "same_vehicle.together",
            "params": {"groups": [[13, 23]]},
            "status": "ok",
            "problem": None,
        }
    ]
    assert plot.read_bytes()[:4] == b"\x89PNG"
