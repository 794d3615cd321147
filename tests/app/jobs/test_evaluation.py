"""Evaluations started from the app: the request checked in one sentence, the CLI's loaders, tasks and reports run
on the app's LLM into the app's folder, with progress counted from results.jsonl."""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from corta.agents.tutor.agent import Tutor
from corta.app.jobs.evaluation import evaluations_dir, parse_request, plan_evaluation
from corta.app.services import AgentServices
from corta.app.store import Store
from corta.config import Settings
from corta.errors import ConfigError, DatasetError
from corta.models.runtime.endpoint import Endpoint
from tests.agents.modeler.scripted import Policy
from tests.agents.tutor.scripted import FixedRetriever, Script
from tests.app.jobs.toy_data import write_toy_or_data, write_toy_tutor_data
from tests.helpers.stub_openai_server import StubServer

ROUTBENCH = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "routing" / "routbench"


@pytest.fixture
def services(tmp_path: Path) -> Iterator[AgentServices]:
    with StubServer(responder=Policy()) as server:
        endpoint = Endpoint(base_url=server.base_url, model=server.model, engine="url")
        store = Store(tmp_path / "store.sqlite")
        yield AgentServices(Settings(cache_dir=tmp_path / "cache"), endpoint, store)
        store.close()


def or_request(data: Path, **changes: object) -> dict[str, object]:
    return {"family": "or", "bench": "nl4opt", "method": "cot", "name": "toy", "data": data, **changes}


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"bench": "nl5opt"}, "Unknown OR modeler benchmark 'nl5opt'; known: nl4opt, mamo_easy"),
        ({"method": "guess"}, "Unknown OR modeler method 'guess'; known: cot, sc, tot, beam, bpp, code."),
        ({"family": "routing", "bench": "simple"}, "Unknown Routing (RoutBench) method 'cot'; known: ars,"),
        ({"name": "../elsewhere"}, "The output name must be one folder name: letters, digits"),
        (
            {"sample_size": 0},
            "The evaluation's sample size is invalid: Input should be greater than or equal to 1.",
        ),
        ({"prm": "oracle"}, "Unknown reward model 'oracle'; known: scorer, judge, served."),
    ],
)
def test_a_bad_request_is_one_sentence(tmp_path: Path, changes: dict[str, object], sentence: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_request(or_request(tmp_path, **changes))
    assert str(refused.value).startswith(sentence)


def test_a_modeler_method_runs_like_corta_eval_or(services: AgentServices, tmp_path: Path) -> None:
    data = write_toy_or_data(tmp_path / "or")
    request = parse_request(or_request(data, sample_size=2, sample_seed=1))
    planned = plan_evaluation(request, services)
    out = evaluations_dir(services.settings) / "toy" / "cot"
    assert planned.out_dir == out and len(planned.items) == 2
    assert json.loads((out / "sample_ids.json").read_text()) == [item.id for item in planned.items]
    assert planned.progress().text == "0/2 done, 0 succeeded"
    assert planned.command.startswith(f"corta eval or --bench nl4opt --data {data} --out {out} --method cot")
    assert planned.command.endswith(f"--sample 2 --sample-seed 1 --model {services.endpoint.base_url}")

    result = planned.run()
    assert result == {
        "report": str(out / "report.md"), "items": 2, "successes": 2, "errors": 0,
        "comparison": str(out.parent / "comparison.md"),
    }  # fmt: skip
    progress = planned.progress()
    assert (progress.done, progress.total, progress.text) == (2, 2, "2/2 done, 2 succeeded")
    report = (out / "report.md").read_text()
    assert report.startswith("# nl4opt: modeler method cot") and planned.command in report
    assert "## Label corrections applied (0)" in report
    assert "| cot | 2 | 1.000" in (out.parent / "comparison.md").read_text()
    assert (out / "success_by_category.png").read_bytes()[:4] == b"\x89PNG"


def test_missing_data_is_one_sentence(services: AgentServices, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"^Benchmark data not found: .*nl4opt\.$"):
        plan_evaluation(parse_request(or_request(tmp_path / "nowhere")), services)


def test_the_tutor_is_evaluated_on_the_app_tutors_knowledge_base(tmp_path: Path) -> None:
    fields = {"family": "tutor", "bench": "socratic", "method": "molly", "name": "hints"}
    request = parse_request({**fields, "data": write_toy_tutor_data(tmp_path / "tutor")})
    with StubServer(responder=Script()) as server:
        endpoint = Endpoint(base_url=server.base_url, model=server.model, engine="url")
        services = AgentServices(
            Settings(cache_dir=tmp_path / "cache"), endpoint, Store(tmp_path / "s.sqlite")
        )
        with pytest.raises(ConfigError, match=r"^no knowledge base in .*: run `corta index build` first$"):
            plan_evaluation(request, services)
        services.tutor = Tutor(services.llm, FixedRetriever(), services.store.checkpointer())
        planned = plan_evaluation(request, services)
        assert planned.workers == 1 and planned.command.startswith("corta eval tutor --bench socratic --out ")
        result = planned.run()
    assert result["items"] == 1 and result["errors"] == 0
    assert planned.progress().text.startswith("1/1 done")
    assert (planned.out_dir / "report.md").read_text().startswith("# socratic: Molly tutor")


@pytest.mark.skipif(not ROUTBENCH.is_dir() and not os.environ.get("CI"), reason="RoutBench data not present")
def test_routbench_with_reference_checkers_runs_like_corta_eval_routing(services: AgentServices) -> None:
    fields = {"family": "routing", "bench": "simple", "method": "oracle", "name": "oracle", "data": ROUTBENCH}
    planned = plan_evaluation(parse_request({**fields, "sample_size": 1, "seconds": 0.5}), services)
    assert planned.out_dir == evaluations_dir(services.settings) / "oracle"
    assert planned.command.startswith("corta eval routing --data ")
    result = planned.run()
    assert result["items"] == 1 and result["errors"] == 0
    assert planned.progress().text.startswith("1/1 done, ")
    assert (
        (planned.out_dir / "report.md")
        .read_text()
        .startswith("# RoutBench with reference checkers (simple, 25 customers)")
    )
