"""Random, oversized, control-character, right-to-left, emoji and HTML text into every form field.

Forms are found by walking every GET page of the URL map as the patient and as
the coordinator, so a new form is fuzzed without anyone remembering. Never a
500, never markup from the input in the page that follows.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import app_on_new_database
from tests.views.conftest import Browser, plan_of

MARKER = "xss-probe"
HOSTILE = [
    f"<script>alert('{MARKER}')</script>",
    f'"><img src=x onerror=alert("{MARKER}")>',
    f"<svg onload=alert('{MARKER}')>",
    f"javascript:alert('{MARKER}')",
    "\u202egnp.exe\u202c ‮ høyre til venstre שלום مرحبا",
    "\x00\x01\x07\x1b[31m kontrolltegn \x7f",
    "😀👨‍👩‍👧‍👦🏳️‍🌈 " * 20,
    "Æ" * 20_000,
    "   ",
    "'; DROP TABLE person; --",
    "{{ 7*7 }} {% raw %}",
]
TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))
SKIPPED_FORMS = ("/logout", "/language")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EXECUTABLE = re.compile(r"<script>alert\(|<img src=x onerror|<svg onload", re.IGNORECASE)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    with app_on_new_database(tmp_path_factory) as app:
        yield app


def plain_get_pages(app, plan) -> list[str]:
    """Pages without parameters other than the plan: enough to find every form."""
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if set(rule.arguments) - {"plan_id"} or rule.endpoint.startswith("auth."):
            continue
        pages.append(re.sub(r"<[^>]+>", str(plan.public_id), rule.rule))
    return sorted(pages)


def crawl(browser: Browser, start: list[str], limit: int = 80) -> list[str]:
    """Pages reachable by links from the start pages: item pages (threads, edit forms) too."""
    seen, queue = [], list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0).split("#")[0]
        if url in seen or not url.startswith(("/plan/", "/coordinator", "/settings")):
            continue
        seen.append(url)
        response = browser.client.get(url)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        queue += [a["href"] for a in page.select("a[href^='/']")]
    return seen


def forms_on(browser: Browser, url: str) -> list[tuple[str, str]]:
    response = browser.client.get(url, follow_redirects=True)
    if response.status_code != 200:
        return []
    url = response.request.path  # where the redirects ended
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    found = []
    for form in page.select("form"):
        if (form.get("method") or "get").lower() != "post" or form.get("action", "").endswith(SKIPPED_FORMS):
            continue
        if form.select("textarea, input[type=text], input:not([type]), input[type=email], input[type=tel]"):
            found.append((url, form.get("action") or url))
    return found


def post_with(browser: Browser, url: str, action: str, text: str):
    page = BeautifulSoup(browser.client.get(url, follow_redirects=True).get_data(as_text=True), "html.parser")
    form = next((f for f in page.select("form") if (f.get("action") or url) == action), None)
    if form is None:
        return None  # an earlier example changed the page (a proposal decided, a thread closed)
    data = {}
    for field in form.select("input, textarea, select"):
        name = field.get("name")
        if not name:
            continue
        kind = field.get("type", "text") if field.name == "input" else field.name
        if kind in ("hidden",):
            data[name] = field.get("value", "")
        elif kind in ("checkbox", "radio", "submit", "button"):
            data.setdefault(name, field.get("value", "y"))
        elif kind == "select":
            option = field.select_one("option")
            data[name] = option.get("value", "") if option else ""
        elif kind in ("date", "datetime-local", "time", "number"):
            data[name] = text[:40]
        else:
            data[name] = text
    return browser.client.post(form.get("action") or url, data=data, follow_redirects=True)


@pytest.mark.parametrize("role", ["patient", "coordinator"])
def test_every_form_survives_hostile_text(fuzz_app, role):
    browser = Browser(fuzz_app, fuzz_app.test_client())
    browser.login_as(role)
    plan = plan_of(fuzz_app, "patient")
    every_form = sorted({found for url in crawl(browser, plain_get_pages(fuzz_app, plan)) for found in forms_on(browser, url)})
    forms = list({UUID.sub("<id>", action): (url, action) for url, action in every_form}.values())  # one per route
    assert len(forms) >= (3 if role == "patient" else 8), f"too few forms found for {role}: {forms}"
    problems = []

    for url, action in forms:
        @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(TEXT)
        def survives(text):
            browser.login_as(role)
            response = post_with(browser, url, action, text)
            if response is None:
                return
            body = response.get_data(as_text=True)
            if response.status_code >= 500:
                problems.append(f"{action}: {response.status_code} for {text[:60]!r}")
            elif EXECUTABLE.search(body):
                problems.append(f"{action}: markup from the input came back unescaped")

        survives()
    assert not problems, "\n".join(problems[:20])
