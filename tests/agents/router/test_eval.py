"""The RoutBench tasks of the LLM methods on a scripted LLM: `ars` scored by the reference checker with its
code-correctness and failure category, `direct` running the LLM's solver program, and the `eval routing` command."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corta.cli import app
from corta.datasets.routbench import RoutingVariant, load_routbench
from corta.datasets.routing_eval import RoutingAgentTask, expected_templates
from corta.models.llm import LLM
from corta.models.runtime.endpoint import Endpoint
from tests.agents.router.scripted import Policy
from tests.helpers.stub_openai_server import StubServer

APART_AND_PRIORITY = {
    "same_vehicle.apart": {"groups": [[7, 8]]},
    "priority.strict": {"levels": [[7], [5], [3]]},
}


@pytest.fixture(scope="module")
def variant(instance: Path) -> RoutingVariant:
    """Nodes 7 and 8 apart, and strict priority 7 > 5 > 3."""
    return {item.id: item for item in load_routbench(instance.parent, "simple", 25)}["routbench/simple/2"]


def task_for(policy: Policy, instance: Path, method: str) -> Iterator[RoutingAgentTask]:
    with StubServer(responder=policy) as server:
        llm = LLM(Endpoint(base_url=server.base_url, model=server.model, engine="url"))
        yield RoutingAgentTask(instance.parent, llm, method, seconds=0.5)


def test_ars_succeeds_with_correct_code_and_names_a_wrong_choice(
    variant: RoutingVariant, instance: Path
) -> None:
    assert expected_templates(variant) == ["same_vehicle.apart", "priority.strict"]
    right = Policy(["same_vehicle.apart", "priority.strict"], APART_AND_PRIORITY)
    for task in task_for(right, instance, "ars"):
        record = task.run(variant)
    assert record["success"] and record["reference_passes"] and record["base_feasible"]
    assert record["code_correct"] and record["false_accepts"] == record["false_rejects"] == 0
    assert record["test_plans"] > 100 and record["failure"] == "none" and record["selected_by"] == "wording"
    assert (record["policy_calls"], record["rounds"]) == (2, 0) and record["tokens"] > 0

    # ars-llm: the LLM chooses (here wrongly), and the failure is named.
    wrong = Policy(["same_vehicle.together"], {"same_vehicle.together": {"groups": [[7, 8]]}})
    for task in task_for(wrong, instance, "ars-llm"):
        record = task.run(variant)
    assert not record["success"] and not record["reference_passes"]
    assert record["failure"] == "select" and not record["code_correct"] and record["false_accepts"] > 0
    assert record["selected_by"] == "llm" and record["policy_calls"] == 2
    rows = task.summarize([record])
    assert {"measure": "failure: select", "value": 1} in rows


def test_direct_runs_the_llm_program_and_scores_its_plan(variant: RoutingVariant, instance: Path) -> None:
    for task in task_for(Policy([]), instance, "direct"):
        record = task.run(variant)
    assert record["planned"] and record["policy_calls"] == 1
    # Filling vehicles in node order ignores the time windows: a plan, but not a feasible one.
    assert not record["success"] and record["failure"] == "search"
    assert any("> due" in violation for violation in record["base_violations"])  # late at a customer

    crashing = Policy([], program="```python\nraise ValueError('no idea')\n```")
    for task in task_for(crashing, instance, "direct"):
        record = task.run(variant)
    assert not record["planned"] and record["failure"] == "generate"
    assert "ValueError" in record["error_kind"]


def test_eval_routing_runs_a_method_and_writes_the_report(instance: Path, tmp_path: Path) -> None:
    out = tmp_path / "direct"
    with StubServer(responder=Policy([])) as server:
        result = CliRunner().invoke(
            app,
            [
                "eval", "routing", "--data", str(instance.parent), "--out", str(out), "--method", "direct",
                "--split", "simple", "--sample", "2", "--limit", "1", "--seconds", "0.5", "--workers", "1",
                "--model", server.base_url,
            ],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "0/1 plans passed" in result.stdout
    [record] = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert record["method"] == "direct" and record["failure"] == "search"
    assert len(json.loads((out / "sample_ids.json").read_text())) == 2
    assert "failure: search" in (out / "report.md").read_text()
