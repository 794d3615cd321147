"""The Evaluate tab on its own page: an evaluation started from the form runs in the background and its report
appears with its plots; past reports are listed and read; bad input is one sentence. Through `gradio_client`, and
once in chromium."""

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from corta.app.services import AgentServices
from corta.app.store import Store
from corta.app.ui.evaluate_tab import DOCS_RESULTS, build_evaluate_tab
from corta.config import Settings
from corta.models.runtime.endpoint import Endpoint
from tests.agents.modeler.scripted import Policy
from tests.app.jobs.toy_data import write_toy_or_data
from tests.helpers.single_tab import browser_page_at, single_tab_page
from tests.helpers.stub_openai_server import StubServer

ROUTBENCH = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "routing" / "routbench"
DOCS_REPORT = DOCS_RESULTS / "routbench" / "simple-25" / "report.md"


@pytest.fixture(scope="module")
def evaluate_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentServices]:
    """Services on the modeler's scripted stub (it models the bakery problem right), with a private cache."""
    folder = tmp_path_factory.mktemp("evaluate")
    with StubServer(responder=Policy()) as server:
        endpoint = Endpoint(base_url=server.base_url, model=server.model, engine="url")
        store = Store(folder / "store.sqlite")
        yield AgentServices(Settings(cache_dir=folder / "cache"), endpoint, store)
        store.close()


@pytest.fixture(scope="module")
def evaluate_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_toy_or_data(tmp_path_factory.mktemp("data") / "or")


@pytest.fixture(scope="module")
def evaluate_url(evaluate_services: AgentServices) -> Iterator[str]:
    """A page holding only the Evaluate tab, launched on 127.0.0.1."""
    with single_tab_page("Evaluate", build_evaluate_tab, evaluate_services) as url:
        yield url


@pytest.fixture
def client(evaluate_url: str) -> Client:
    return Client(evaluate_url, verbose=False)


def start(client: Client, **fields: Any) -> tuple[Any, ...]:
    """Submit the form: the toy benchmark's defaults, with `fields` (data and name at least) over them."""
    form = {
        "family": "or", "bench": "nl4opt", "method": "cot", "name": "", "data": "", "sample": 2, "seed": 0,
        "workers": 1, "prm": "judge", "customers": 25, "seconds": 5, "rounds": 2, **fields,
    }  # fmt: skip
    return client.predict(*form.values(), api_name="/evaluate_start")


def watch_until_finished(client: Client, run_id: str) -> tuple[Any, ...]:
    """Poll the status as the tab's timer does, until the run is no longer running (a minute at most)."""
    deadline = time.monotonic() + 60
    while True:
        outputs = client.predict(run_id, api_name="/evaluate_status")
        if not outputs[1].startswith("**Running**") or time.monotonic() > deadline:
            return outputs
        time.sleep(0.3)


def test_an_evaluation_runs_in_the_background_and_its_report_appears(
    client: Client, evaluate_data: Path, evaluate_services: AgentServices
) -> None:
    run_id, bar, status, _ = start(client, data=str(evaluate_data), name="from-client")
    assert run_id and status.startswith("**Running** nl4opt / cot") and "<progress" in bar
    bar, status, _, report, text, plots = watch_until_finished(client, run_id)
    assert status.startswith("**Done** nl4opt / cot") and "2/2 done, 2 succeeded" in status
    assert 'value="1.000"' in bar
    assert report["value"].endswith("from-client/cot/report.md")
    assert [label for label, _ in report["choices"][:2]] == [
        "evaluations/from-client/comparison.md",
        "evaluations/from-client/cot/report.md",
    ]
    assert (
        text.startswith("# nl4opt: modeler method cot") and "(plot below: Success rate by category)" in text
    )
    assert [plot["caption"] for plot in plots] == ["Success rate by category", "Distribution of wall_seconds"]
    assert all(Path(plot["image"]).read_bytes()[:4] == b"\x89PNG" for plot in plots)
    run = evaluate_services.store.run(run_id)
    assert run is not None and run.kind == "evaluation" and run.status == "done"
    assert run.params["command"].startswith("corta eval or --bench nl4opt")


@pytest.mark.skipif(not ROUTBENCH.is_dir() and not os.environ.get("CI"), reason="RoutBench data not present")
def test_the_family_sets_the_choices_and_a_routing_evaluation_runs(client: Client) -> None:
    bench, method, data, prm, customers, seconds, rounds = client.predict(
        "routing", api_name="/evaluate_family"
    )
    assert [value for _, value in bench["choices"]] == ["simple", "complex", "all"] and bench[
        "value"
    ] == "simple"
    assert [value for _, value in method["choices"]] == ["ars", "ars-llm", "direct", "oracle"]
    assert data == "../shared/data/routing/routbench"
    assert (prm["visible"], customers["visible"], seconds["visible"], rounds["visible"]) == (
        False,
        True,
        True,
        True,
    )
    run_id, _, status, _ = start(
        client, family="routing", bench="simple", method="oracle", data=str(ROUTBENCH), sample=1, seconds=0.5
    )
    assert status.startswith("**Running** simple / oracle")
    _, status, _, report, text, _ = watch_until_finished(client, run_id)
    assert status.startswith("**Done** simple / oracle") and "1/1 done" in status
    assert report["value"].endswith("evaluations/routbench-simple-oracle/report.md")
    assert text.startswith("# RoutBench with reference checkers (simple, 25 customers)")


def test_past_reports_are_listed_and_read_with_their_plots(client: Client) -> None:
    listed = client.predict(api_name="/evaluate_reports")["choices"]
    assert ["docs/results/routbench/simple-25/report.md", str(DOCS_REPORT)] in listed
    text, plots = client.predict(str(DOCS_REPORT), api_name="/evaluate_report")
    assert text.startswith("# RoutBench with reference checkers (simple, 25 customers)")
    assert {plot["caption"] for plot in plots} == {"Success rate by category", "Distribution of cost"}
    refused, nothing = client.predict("/etc/passwd", api_name="/evaluate_report")
    assert refused == "**Error:** Choose one of the listed reports." and nothing == []


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"name": "../outside"}, "**Error:** The output name must be one folder name"),
        ({"data": "/nowhere"}, "**Error:** Benchmark data not found: /nowhere/nl4opt."),
    ],
)
def test_bad_input_is_one_sentence(
    client: Client, evaluate_data: Path, changes: dict[str, Any], sentence: str
) -> None:
    run_id, bar, status, _ = start(client, **{"data": str(evaluate_data), "name": "refused", **changes})
    assert (run_id, bar) == ("", "") and status.startswith(sentence)


def test_in_the_browser_an_evaluation_is_started_and_its_report_read(
    _browser: Any, evaluate_url: str, evaluate_data: Path
) -> None:
    with browser_page_at(_browser, evaluate_url) as page:
        page.locator("#evaluate-name input, #evaluate-name textarea").fill("from-browser")
        page.locator("#evaluate-data input, #evaluate-data textarea").fill(str(evaluate_data))
        page.locator("#evaluate-sample input").fill("2")
        page.locator("#evaluate-start").click()
        page.locator("#evaluate-report-text").get_by_text("nl4opt: modeler method cot").wait_for()
        status = page.locator("#evaluate-status").inner_text()
        assert status.startswith("Done nl4opt / cot") and "2/2 done, 2 succeeded" in status
        page.locator("#evaluate-plots img").first.wait_for()
        assert page.locator("#evaluate-plots img").count() >= 2
