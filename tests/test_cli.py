"""The command line: help everywhere, the sandbox's JSON contract, errors as one sentence."""

import json
from pathlib import Path

import click
import pytest
import typer.main
from typer.testing import CliRunner

from corta.cli import app
from corta.models.runtime.health import choose_port
from tests.agents.tutor.scripted import Script
from tests.helpers.stub_openai_server import StubServer

runner = CliRunner()


def all_command_paths(command: click.Command, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            paths += all_command_paths(sub, (*prefix, name))
    return paths


@pytest.mark.parametrize("path", all_command_paths(typer.main.get_command(app)), ids=" ".join)
def test_every_command_has_help(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_sandbox_run_prints_the_json_contract(tmp_path):
    code = tmp_path / "code.py"
    code.write_text("def area(w, h):\n    return w * h\n")
    result = runner.invoke(
        app, ["sandbox", "run", str(code), "--entry", "area", "--args", "[3, 4]", "--json"]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"ok": True, "result": 12, "error": None}


def test_sandbox_run_reports_the_error_kind(tmp_path):
    code = tmp_path / "code.py"
    code.write_text("import socket\ndef main():\n    return 1\n")
    result = runner.invoke(app, ["sandbox", "run", str(code), "--entry", "main", "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False and payload["result"] is None and payload["error"]["kind"] == "forbidden"


def test_bad_args_json_is_a_usage_error(tmp_path):
    code = tmp_path / "code.py"
    code.write_text("def main():\n    return 1\n")
    result = runner.invoke(app, ["sandbox", "run", str(code), "--entry", "main", "--args", "{nope"])
    assert result.exit_code == 2 and "not JSON" in result.output


def test_retrieval_only_is_refused_where_there_is_no_hit_at_3(tmp_path):
    result = runner.invoke(
        app, ["eval", "tutor", "--bench", "socratic", "--retrieval-only", "--out", str(tmp_path / "out")]
    )
    assert (
        result.exit_code != 0
        and "only the qacp benchmark" in result.stderr
        and "Traceback" not in result.output
    )


def test_an_unknown_mode_to_review_is_refused_before_any_model_starts(tmp_path):
    result = runner.invoke(app, ["tutor", "ask", "What is a list?", "--model-review", "explain,quiz"])
    assert result.exit_code != 0 and "not quiz" in result.stderr and "Traceback" not in result.output


def test_a_qacp_runs_replies_are_judged_again_from_its_folder(tmp_path):
    data = tmp_path / "tutor"
    (data / "qacp").mkdir(parents=True)
    questions = [
        {"id": n, "knowledge_point": "Functions", "question": f"Q{n}?", "answer": "ref"} for n in (1, 2)
    ]
    (data / "qacp" / "qacp_merged.utf8.jsonl").write_text("\n".join(json.dumps(q) for q in questions))
    run = tmp_path / "run"
    run.mkdir()
    recorded = {"id": "qacp/1", "category": "Functions", "success": True, "first_draft": "d", "answer": "a"}
    (run / "results.jsonl").write_text(json.dumps(recorded) + "\n")
    out = tmp_path / "judged"
    with StubServer(responder=Script(judge_scores=[4, 5], preferences=[0.3])) as server:
        arguments = [
            "--data",
            str(data),
            "--rejudge",
            str(run),
            "--out",
            str(out),
            "--model",
            server.base_url,
        ]
        result = runner.invoke(app, ["eval", "tutor", "--bench", "qacp", *arguments])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [(r["id"], r["draft_score"], r["final_score"]) for r in records] == [("qacp/1", 4.0, 5.0)]
    assert "judged again from" in (out / "report.md").read_text()
    refused = runner.invoke(
        app, ["eval", "tutor", "--bench", "qacp", *arguments[:2], "--rejudge", str(out), "--out", str(out)]
    )
    assert refused.exit_code != 0 and "records no first draft" in refused.stderr


def test_unreachable_model_is_one_sentence_not_a_traceback():
    url = f"http://127.0.0.1:{choose_port(1)}/v1"
    result = runner.invoke(app, ["llm", "ask", "hi", "--model", url])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: No OpenAI-compatible server answers at")
    assert "Traceback" not in result.output and result.stdout == ""


def test_ask_prints_only_the_answer_and_json_schema_only_the_object(stub, tmp_path):
    stub.replies = ["  42  ", '{"n": 42}']
    assert runner.invoke(app, ["llm", "ask", "q", "--model", stub.base_url]).stdout == "42\n"
    schema = tmp_path / "s.json"
    schema.write_text('{"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}')
    result = runner.invoke(app, ["llm", "ask", "q", "--model", stub.base_url, "--json-schema", str(schema)])
    assert json.loads(result.stdout) == {"n": 42}


FIXTURE = Path(__file__).parent / "fixtures" / "models" / "logior_prob_001.json"


def test_model_solve_prints_the_json_contract(tmp_path):
    lp = tmp_path / "model.lp"
    result = runner.invoke(app, ["model", "solve", str(FIXTURE), "--json", "--lp", str(lp)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"status", "objective", "values", "max_violation", "message"}
    assert (
        payload["status"] == "optimal" and payload["objective"] == 537.0 and payload["max_violation"] <= 1e-9
    )
    assert payload["values"]["x[1,2]"] in (0.0, 1.0) and lp.read_text().startswith("\\* Source Pyomo model")


def test_model_check_and_malformed_models_exit_2(tmp_path):
    assert "24 variables" in runner.invoke(app, ["model", "check", str(FIXTURE)]).stdout
    bad = tmp_path / "bad.json"
    bad.write_text('{"variable": [{"name": "x"}], "objective": {"sense": "max", "function": "x + y"}}')
    result = runner.invoke(app, ["model", "solve", str(bad)])
    assert result.exit_code == 2
    assert result.stderr == "error: In the objective objective ('x + y'): unknown name 'y'.\n"
    bad.write_text("{not json")
    assert runner.invoke(app, ["model", "check", str(bad)]).exit_code == 2


def test_infeasible_model_names_the_conflict(tmp_path):
    model = tmp_path / "infeasible.json"
    model.write_text(json.dumps({
        "variable": [{"name": "x", "type": "integer"}], "objective": {"sense": "max", "function": "x"},
        "constraint": [{"name": "low", "function": "x >= 3"}, {"name": "high", "function": "x <= 2"}],
    }))  # fmt: skip
    payload = json.loads(runner.invoke(app, ["model", "solve", str(model), "--json"]).stdout)
    assert payload["status"] == "infeasible" and payload["objective"] is None
    assert payload["message"].endswith("These constraints conflict: low, high.")


ROUTING_INSTANCE = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "routing"
    / "routbench"
    / "instance data_25.txt"
)


def test_route_solve_prints_the_json_contract_and_draws_the_plan(tmp_path):
    checker = tmp_path / "checker.py"
    checker.write_text(
        "def check_constraints(solution):\n    return any(5 in r and 7 in r for r in solution.routes)\n"
    )
    plot = tmp_path / "plan.png"
    args = [
        "route",
        "solve",
        "--instance",
        str(ROUTING_INSTANCE),
        "--checker",
        str(checker),
        "--seconds",
        "1",
    ]
    result = runner.invoke(app, [*args, "--plot", str(plot), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"routes", "cost", "feasible", "violations", "seconds"}
    assert payload["feasible"] and sorted(c for r in payload["routes"] for c in r) == list(range(1, 26))
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_route_solve_rejects_an_unreadable_instance(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("not an instance")
    result = runner.invoke(app, ["route", "solve", "--instance", str(bad), "--seconds", "1"])
    assert result.exit_code == 2 and result.stderr.startswith("error: ")


def test_model_ask_prints_the_json_contract():
    from tests.agents.modeler.scripted import BEST, QUESTION, Policy
    from tests.helpers.stub_openai_server import StubServer

    with StubServer(responder=Policy()) as server:
        result = runner.invoke(
            app, ["model", "ask", QUESTION, "--method", "cot", "--model", server.base_url, "--json"]
        )
    assert result.exit_code == 0, result.output
    reply = json.loads(result.stdout)
    assert set(reply) == {"status", "objective", "model", "values", "message", "search"}
    assert reply["status"] == "optimal" and abs(reply["objective"] - BEST) < 1e-6
    assert reply["search"]["method"] == "cot" and reply["search"]["policy_calls"] == 1
    assert set(reply["search"]) == {"method", "policy_calls", "tokens", "seconds", "tree"}


def test_model_ask_refuses_a_non_problem_politely():
    from tests.helpers.stub_openai_server import StubServer

    with StubServer() as server:
        result = runner.invoke(
            app, ["model", "ask", "Tell me a joke.", "--method", "cot", "--model", server.base_url]
        )
    assert result.exit_code == 0
    assert "does not read as an optimization problem" in result.stdout
