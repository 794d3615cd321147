"""The app under test, shared by every tab's tests: services on a scripted stub LLM (`ui_script`, `ui_services`),
the app launched on a free loopback port (`ui_url`), and a headless chromium page on it (`browser_page`).

The browser tests drive Debian's chromium through Playwright; CI installs it with `scripts/install_browser.sh`, and
elsewhere they are skipped when /usr/bin/chromium is missing.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corta.agents.tutor.agent import Tutor
from corta.app.services import AgentServices
from corta.app.store import Store
from corta.config import Settings
from corta.models.runtime.endpoint import Endpoint
from tests.agents.tutor.scripted import FixedRetriever
from tests.app.ui.scripted import AppScript
from tests.helpers.chromium import chromium
from tests.helpers.serving import free_port
from tests.helpers.stub_openai_server import StubServer

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

SHARED_DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
ROUTING_DATA = SHARED_DATA / "routing"


@pytest.fixture(scope="session")
def _app_script() -> AppScript:
    return AppScript()


@pytest.fixture
def ui_script(_app_script: AppScript) -> AppScript:
    """The stub LLM's scripts, fresh for each test (replace `.tutor`, `.modeler` or `.router` to script others)."""
    _app_script.reset()
    return _app_script


@pytest.fixture(scope="session")
def ui_services(_app_script: AppScript, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentServices]:
    """The app's services on the scripted stub, with a private cache and store; the tutor cites a fixed retriever."""
    folder = tmp_path_factory.mktemp("ui")
    with StubServer(responder=_app_script) as server:
        endpoint = Endpoint(base_url=server.base_url, model=server.model, engine="url")
        settings = Settings(cache_dir=folder / "cache", docs_dir=SHARED_DATA / "tutor")
        store = Store(folder / "store.sqlite")
        services = AgentServices(settings, endpoint, store)
        services.tutor = Tutor(services.llm, FixedRetriever(), store.checkpointer())
        yield services
        store.close()


@pytest.fixture(scope="session")
def ui_url(ui_services: AgentServices) -> Iterator[str]:
    """The app launched on 127.0.0.1 for the session; its URL."""
    from corta.app.ui.blocks import build_ui

    page = build_ui(ui_services, ROUTING_DATA).queue()
    page.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True)
    yield page.local_url
    page.close()


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def browser_page(_browser: Any, ui_url: str) -> Iterator[Any]:
    """A fresh chromium page (Playwright's sync API) with the app loaded."""
    context = _browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(ui_url)
    page.wait_for_selector("#corta-header")
    yield page
    context.close()


@pytest.fixture(scope="session")
def routbench_instance() -> Path:
    """RoutBench's 25-customer instance (the router's tests skip without the shared data, except in CI)."""
    path = ROUTING_DATA / "routbench" / "instance data_25.txt"
    if not path.is_file() and not os.environ.get("CI"):
        pytest.skip(f"RoutBench data not at {path.parent}")
    return path
