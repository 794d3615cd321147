"""One tab of the app on a page of its own, launched on 127.0.0.1, and a chromium page opened on it."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import gradio as gr

from corta.app.services import AgentServices


@contextmanager
def single_tab_page(
    title: str, build: Callable[[AgentServices], None], services: AgentServices
) -> Iterator[str]:
    """The tab `build` makes, alone on a launched page; yields its URL and closes it after."""
    with gr.Blocks(analytics_enabled=False) as page, gr.Tab(title):
        build(services)
    page.queue().launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    try:
        yield page.local_url
    finally:
        page.close()


@contextmanager
def browser_page_at(browser: Any, url: str) -> Iterator[Any]:
    """A fresh Playwright page (sync API) of `browser` on `url`, waiting up to a minute for what it looks for."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(url)
        yield page
    finally:
        context.close()
