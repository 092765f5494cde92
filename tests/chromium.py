"""Debian's Chromium through Playwright, one per test run, for every folder that drives a
browser (tests/browser, tests/production). A plugin of the root conftest, so the session's
one Playwright is shared: a second one in the same thread is refused by Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing(what: str, how: str):
    """On CI a missing part is a broken build, never a quiet skip."""
    message = f"{what} is missing. {how}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def playwright_instance():
    if not CHROMIUM.exists():
        missing(f"Chromium ({CHROMIUM})", "`make test` installs it (Debian's chromium package).")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()
