"""The router on the real embedded model, through the CLI: `corta route ask` on a same-vehicle rule of the
25-customer RoutBench instance answers in the documented contract, and its plan keeps the rule (checked with the
rule's own template code, not RoutBench's reference checker)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from corta.agents.router.constraint_db import TEMPLATES
from corta.agents.router.testing import check_plan

pytestmark = pytest.mark.e2e

INSTANCE = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "data"
    / "routing"
    / "routbench"
    / "instance data_25.txt"
)
RULE = "Nodes [13, 23] must be on the same route."


def corta(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "corta.cli", *args], capture_output=True, text=True, timeout=1200
    )


@pytest.mark.skipif(not INSTANCE.is_file(), reason=f"RoutBench data not at {INSTANCE}")
def test_route_ask_plans_under_a_same_vehicle_rule() -> None:
    result = corta("route", "ask", RULE, "--instance", str(INSTANCE), "--seconds", "3", "--json")
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert {"routes", "cost", "feasible", "violations", "seconds", "code", "rounds"} <= set(reply)
    assert set(reply["code"]) == {"check_constraints", "penalty"} and 0 <= reply["rounds"] <= 3
    assert sorted(node for route in reply["routes"] for node in route) == list(range(1, 26))
    assert reply["feasible"] and reply["violations"] == [] and reply["cost"] > 0
    assert [item["template"].split(".")[0] for item in reply["constraints"]] == ["same_vehicle"]
    check, _ = TEMPLATES["same_vehicle.together"].render({"groups": [[13, 23]]})
    assert check_plan(INSTANCE, check, reply["routes"]) == (True, None)
