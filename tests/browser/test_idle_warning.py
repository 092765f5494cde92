"""The idle warning in a real browser, with the idle timeout shortened by configuration.

Idle 12 s and the warning 9 s before: it appears about 3 s after a page loads.
The warning says "om 1 minutt" then (whole minutes, rounded up).
"""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in

IDLE = timedelta(seconds=12)
WARN_BEFORE = timedelta(seconds=9)


@pytest.fixture
def short_idle_timeout(live):
    app = live[2]
    saved = {key: app.config[key] for key in ("PERMANENT_SESSION_LIFETIME", "IDLE_WARNING_BEFORE")}
    app.config.update(PERMANENT_SESSION_LIFETIME=IDLE, IDLE_WARNING_BEFORE=WARN_BEFORE)
    yield
    app.config.update(saved)


def signed_in_page(new_context, app_url, **options):
    page = new_context(**options).new_page()
    log_in(page, app_url, "patient")
    return page


def test_the_warning_appears_takes_focus_and_keeps_the_person_signed_in(
    new_context, app_url, short_idle_timeout, assert_accessible
):
    page = signed_in_page(new_context, app_url)
    page.reload()  # the page now carries the short timeout
    loaded_at = time.monotonic()
    plan_url = page.url
    warning = page.get_by_role("alert").filter(has_text="Du blir logget ut")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=(IDLE - WARN_BEFORE).total_seconds() * 1000 + 3000)
    expect(warning).to_contain_text("Du blir logget ut om 1 minutt")
    button = warning.get_by_role("button", name="Fortsett å være innlogget")
    expect(button).to_be_focused()
    assert_accessible(page, "the idle warning")

    with page.expect_response(lambda response: urlsplit(response.url).path == "/keep-alive") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 204
    expect(warning).to_be_hidden()

    # Past the moment the first cookie would have expired: still signed in, same page.
    time.sleep(max(0, loaded_at + IDLE.total_seconds() + 1 - time.monotonic()))
    assert page.url == plan_url
    assert page.context.request.get(plan_url, max_redirects=0).status == 200


def test_without_an_answer_the_page_leaves_for_the_login(new_context, app_url, short_idle_timeout):
    page = signed_in_page(new_context, app_url)
    page.reload()
    plan_url = page.url
    page.wait_for_url(app_url + "/login", timeout=IDLE.total_seconds() * 1000 + 5000)
    # The cookie has expired on the server's terms too: the plan is out of reach.
    response = page.context.request.get(plan_url, max_redirects=0)
    assert response.status == 302 and urlsplit(response.headers["location"]).path == "/login"


def test_without_javascript_no_warning_and_the_page_works(new_context, app_url, short_idle_timeout):
    page = signed_in_page(new_context, app_url, java_script_enabled=False)
    page.reload()
    time.sleep((IDLE - WARN_BEFORE).total_seconds() + 1)
    expect(page.locator("[data-idle-warning]")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_background_polls_do_not_put_the_warning_off(new_context, app_url, live):
    """A thread page polls every 10 s; the warning still comes on time, counted from the page load."""
    app = live[2]
    saved = {key: app.config[key] for key in ("PERMANENT_SESSION_LIFETIME", "IDLE_WARNING_BEFORE")}
    page = signed_in_page(new_context, app_url)
    page.goto(page.url.rstrip("/") + "/messages")
    thread_url = page.locator("main a.lead").first.get_attribute("href")
    polls = []
    page.on("request", lambda request: polls.append(request) if request.headers.get("x-background-poll") else None)
    app.config.update(PERMANENT_SESSION_LIFETIME=timedelta(seconds=30), IDLE_WARNING_BEFORE=timedelta(seconds=18))
    try:
        page.goto(app_url + thread_url)
        loaded_at = time.monotonic()
        warning = page.locator("[data-idle-warning]")
        expect(warning).to_be_visible(timeout=16_000)  # 12 s after the load, not 12 s after the last poll
        assert polls, "the thread page polled before the warning came"
        assert time.monotonic() - loaded_at < 16
    finally:
        app.config.update(saved)
