"""The whole LTI flow in Debian's chromium: the platform's login initiation, its auto-posted id_token, the launch page
and the tutor in its own window, a question typed and answered with sources. Skipped when /usr/bin/chromium is
missing (CI installs it with scripts/install_browser.sh)."""

import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import uvicorn
from fastapi import FastAPI

from corta.app.lti.router import build_lti_router
from corta.app.services import AgentServices
from tests.helpers.chromium import chromium
from tests.helpers.lti_platform import LtiPlatform
from tests.helpers.serving import free_port


@pytest.fixture
def tool_url(services: AgentServices) -> Iterator[str]:
    """The LTI router served by uvicorn on a free loopback port."""
    app = FastAPI()
    app.include_router(build_lti_router(services))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.05)
    assert server.started, "the tool's server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join()


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def test_a_learner_launches_from_the_course_and_asks_molly(
    browser: Any, tool_url: str, platform: LtiPlatform
):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    login = platform.login_params(target_link_uri=tool_url + "/lti/launch")
    with context.expect_page() as tutor_window:
        page.goto(f"{tool_url}/lti/login?{urlencode(login)}")
        page.wait_for_selector("#open")
        if len(context.pages) == 1:  # the browser blocked the page's own window.open: the learner clicks
            page.click("#open")
    tutor = tutor_window.value
    tutor.set_default_timeout(60_000)
    assert "/lti/tutor/" in tutor.url
    tutor.fill("#message", "How do I give a parameter a default value?")
    tutor.fill("#code", "def greet(name):\n    print(name)")
    tutor.click("button[type=submit]")
    answer = tutor.wait_for_selector(".turn.assistant")
    assert "def f(a=1)" in answer.inner_text()
    assert "Sources: [1] tutorial/controlflow.rst" in answer.inner_text()
    assert tutor.locator(".turn.user").inner_text().startswith("How do I give a parameter a default value?")
    tutor.reload()
    assert tutor.locator(".turn").count() == 2
    context.close()
