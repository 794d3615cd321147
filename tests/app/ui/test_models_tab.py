"""The Models tab on its own page: what serves and how fast (on a button), the LLM usage, and a recipe merged in the
background into its report, or refused in one sentence. Through `gradio_client`, and once in chromium."""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from corta.app.jobs.merge import SHIPPED_RECIPES
from corta.app.services import AgentServices
from corta.app.store import Store
from corta.app.ui.models_tab import build_models_tab
from corta.config import Settings
from corta.models.runtime.endpoint import Endpoint
from tests.helpers.single_tab import browser_page_at, single_tab_page
from tests.helpers.stub_openai_server import StubServer
from tests.models.merging.tiny_models import fine_tuned_copy, save_tiny_llama

EARLIER_CALL = {
    "purpose": "earlier-run",
    "model": "m",
    "prompt_tokens": 10,
    "completion_tokens": 5,
    "latency_s": 1.0,
}


@pytest.fixture(scope="module")
def models_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models-tab")


@pytest.fixture(scope="module")
def models_services(models_folder: Path) -> Iterator[AgentServices]:
    """Services on a stub that answers "ok", with a usage ledger file that an earlier run wrote one call to."""
    ledger = models_folder / "usage.jsonl"
    ledger.write_text(json.dumps(EARLIER_CALL) + "\n")
    with StubServer() as server:
        endpoint = Endpoint(base_url=server.base_url, model=server.model, engine="url")
        settings = Settings(cache_dir=models_folder / "cache", usage_ledger=ledger)
        store = Store(models_folder / "store.sqlite")
        yield AgentServices(settings, endpoint, store)
        store.close()


@pytest.fixture(scope="module")
def models_pair(models_folder: Path) -> tuple[Path, Path]:
    """Two tiny Llamas, the second a fine-tuned-looking copy of the first."""
    one = save_tiny_llama(models_folder / "one")
    return one, fine_tuned_copy(one, models_folder / "two", seed=1)


@pytest.fixture(scope="module")
def models_url(models_services: AgentServices) -> Iterator[str]:
    """A page holding only the Models tab, launched on 127.0.0.1."""
    with single_tab_page("Models", build_models_tab, models_services) as url:
        yield url


@pytest.fixture
def client(models_url: str) -> Client:
    return Client(models_url, verbose=False)


def linear_recipe(one: Path, two: Path) -> str:
    """mergekit's linear merge of the two models, in YAML's one-line flow style (typed as is in the browser)."""
    return f"{{merge_method: linear, models: [{{model: {one}}}, {{model: {two}}}], dtype: float32}}"


def merge_until_finished(client: Client, shipped: str | None, recipe: str, out_dir: Path) -> tuple[str, str]:
    """Start a merge and poll its status as the tab's timer does (a minute at most): (run id, last status)."""
    run_id, _, status, _ = client.predict(shipped, recipe, str(out_dir), api_name="/models_merge")
    deadline = time.monotonic() + 60
    while run_id and status.startswith("**Merging**") and time.monotonic() < deadline:
        time.sleep(0.3)
        _, status, _ = client.predict(run_id, api_name="/models_merge_status")
    return run_id, status


def test_the_probe_measures_the_served_model(client: Client) -> None:
    probed = client.predict(api_name="/models_probe")
    assert probed.startswith("**") and " tokens/s** (1 tokens in " in probed
    assert probed.endswith(" s) · served models: `stub-model`")


def test_the_usage_of_this_app_and_of_the_ledger_file_is_shown(
    client: Client, models_services: AgentServices
) -> None:
    models_services.llm.chat("Hi", purpose="tutor-draft")
    session, note, ledger = client.predict(api_name="/models_usage")
    assert session["data"][0][:2] == ["tutor-draft", 1] and session["data"][-1][:2] == ["all", 1]
    assert note == f"All runs in the usage ledger `{models_services.settings.usage_ledger}`:"
    purposes = [row[0] for row in ledger["data"]]
    assert purposes == ["earlier-run", "tutor-draft", "all"] and ledger["data"][-1][1] == 2


def test_a_recipe_is_merged_in_the_background_into_its_report(
    client: Client, models_pair: tuple[Path, Path], models_folder: Path, models_services: AgentServices
) -> None:
    out_dir = models_folder / "merged-by-client"
    run_id, status = merge_until_finished(client, None, linear_recipe(*models_pair), out_dir)
    assert status.startswith("**Merged** with `average`: ") and f"→ `{out_dir}`" in status
    assert (out_dir / "model.safetensors").is_file() and (out_dir / "corta_merge.yaml").is_file()
    run = models_services.store.run(run_id)
    assert run is not None and run.kind == "merge" and run.status == "done" and run.result["tensors"] > 0


def test_a_shipped_recipe_whose_models_are_missing_fails_in_one_sentence(
    client: Client, models_folder: Path, models_services: AgentServices
) -> None:
    shipped = SHIPPED_RECIPES / "l2s" / "qwen2.5-math-1.5b-ties.yaml"
    text, out_dir = client.predict(str(shipped), api_name="/models_recipe")
    assert text == shipped.read_text().rstrip("\n") and out_dir == str(
        models_services.settings.cache_dir / "app" / "merges" / shipped.stem
    )
    run_id, status = merge_until_finished(client, str(shipped), text, models_folder / "merged-shipped")
    missing = SHIPPED_RECIPES / "l2s" / "models" / "Qwen2.5-Math-1.5B"
    assert status.startswith("**Merge failed** (") and status.endswith(
        f"s): Model folder {missing} does not exist."
    )
    assert models_services.store.run(run_id).error == f"Model folder {missing} does not exist."  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("shipped", "recipe", "sentence"),
    [
        (
            None,
            "merge_method: [ties",
            "**Error:** The recipe is not valid YAML (while parsing a flow sequence).",
        ),
        (None, "", "**Error:** Choose a shipped recipe or paste one."),
    ],
)
def test_bad_input_is_one_sentence(
    client: Client, models_folder: Path, shipped: str | None, recipe: str, sentence: str
) -> None:
    run_id, _, status, _ = client.predict(
        shipped, recipe, str(models_folder / "never"), api_name="/models_merge"
    )
    assert run_id == "" and status == sentence


def test_only_the_shipped_recipes_can_be_chosen(client: Client, models_folder: Path) -> None:
    with pytest.raises(AppError, match="is not in the list of choices"):
        client.predict("/etc/passwd", "", str(models_folder / "never"), api_name="/models_merge")


def test_in_the_browser_a_pasted_recipe_is_merged_and_its_report_shown(
    _browser: Any, models_url: str, models_pair: tuple[Path, Path], models_folder: Path
) -> None:
    out_dir = models_folder / "merged-in-browser"
    with browser_page_at(_browser, models_url) as page:
        page.locator("#models-probe").click()
        page.locator("#models-probe-result").get_by_text("tokens/s").wait_for()
        page.locator("#models-yaml .cm-content").fill(linear_recipe(*models_pair))
        page.locator("#models-out input, #models-out textarea").fill(str(out_dir))
        page.locator("#models-merge").click()
        page.locator("#models-merge-status").get_by_text("Merged with").wait_for()
        assert str(out_dir) in page.locator("#models-merge-status").inner_text()
        assert (out_dir / "model.safetensors").is_file()
