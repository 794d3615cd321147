"""Debian's chromium driven by Playwright (sync API), headless and sandbox-free as root; the browser tests skip when it
is missing (CI installs it with scripts/install_browser.sh)."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless chromium (a Playwright `Browser`), closed on exit; skips the test when chromium is missing."""
    if not CHROMIUM.is_file():
        pytest.skip(f"no chromium at {CHROMIUM}: run scripts/install_browser.sh for the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
