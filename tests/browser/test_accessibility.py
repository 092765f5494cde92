"""axe-core (WCAG 2.0 and 2.1, A and AA) and reflow on every page the app serves, and
while each page is open the rules of tests/browser/layout.py: targets, states in words,
motion and dark mode, text at 200 % (test_visual_rules.py tests those checks themselves).

The pages come from the app's URL map, so a new route is scanned without anyone
remembering to add it here. Each page is opened by the person it is for: the
coordinator's pages by the coordinator, everything else by the patient.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from patient_app.demo.people import DEMO_PEOPLE
from patient_app.identity_numbers import make_synthetic
from tests.browser.helpers import (
    MISSING_PAGE,
    NEUTRAL_PAGE,
    REFLOW_WIDTH,
    ace_violations,
    axe_violations,
    describe_ace_violations,
    describe_violations,
    discover_pages,
    open_each,
    pages_for,
    plan_url_arguments,
    open_unless_download,
    sideways_overflow,
    switch_language,
)
from tests.browser.layout import page_rules, zoom_problems



def test_every_get_route_can_be_scanned(app_pages):
    """A route whose URL we cannot fill in would be left out of every scan below, quietly."""
    unfilled = [
        f"{page.rule} ({page.endpoint}): the demo data has no {', '.join(page.unfilled)} in the patient's "
        "plan; seed one, or teach tests/browser/conftest.py::url_arguments to fill it"
        for page in app_pages
        if page.path is None
    ]
    assert not unfilled, "not scanned by axe or for reflow:\n" + "\n".join(unfilled)


def scan(page, app_url, paths, axe_source, ace_source, *, lang, theirs_only=False, reflow_width=None) -> list[str]:
    """Open each path, run axe and IBM Equal Access where it lands (once per landing page) and the rules for targets,
    states in words, and (in bokmål) motion and dark mode (tests/browser/layout.py); returns the failures.

    theirs_only: pages that answer 404 (not this person's to see) are left out.
    reflow_width: also no sideways scrolling there, with text at 100 % and at 200 %.
    """
    failures, scanned = [], set()
    for path in paths:
        response, downloaded = open_unless_download(page, app_url + path)
        if downloaded:
            continue  # a file to save, not a page
        status = response.status if response else None
        if status is None or status >= 500:
            failures.append(f"{path}: answered {status}")
            continue
        if theirs_only and status == 404:
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # the web app manifest, the service worker: not pages
        if path == MISSING_PAGE and status != 404:
            failures.append(f"{path}: answered {status}, expected the 404 page")
        actual = page.locator("html").get_attribute("lang")
        if actual != lang:
            failures.append(f"{path}: <html lang={actual!r}>, expected {lang!r}")
        landed = page.url.removeprefix(app_url)
        if landed in scanned:
            continue
        scanned.add(landed)
        where = path if landed == path else f"{path} (landed on {landed})"
        if violations := axe_violations(page, axe_source):
            failures.append(describe_violations(violations, where))
        if found := ace_violations(page, ace_source):
            failures.append(describe_ace_violations(found, where))
        failures += [f"{where}: {problem}" for problem in page_rules(page, axe_source, colours=lang == "nb")]
        if reflow_width:
            if overflow := sideways_overflow(page, reflow_width):
                failures.append(f"{where}: {overflow}")
            failures += [f"{where} (text at 200 %): {problem}" for problem in zoom_problems(page, reflow_width)]
    return failures


# Each page as the person it is for; the patient's in every language.
VIEWERS_AND_LANGUAGES = [("patient", "nb"), ("patient", "nn"), ("patient", "en"), ("coordinator", "nb"), ("administrator", "nb")]


@pytest.mark.parametrize("viewer, lang", VIEWERS_AND_LANGUAGES)
def test_every_page_passes_axe_logged_in(signed_in, app_url, app_pages, axe_source, ace_source, viewer, lang):
    page = signed_in(viewer).new_page()
    try:
        page.goto(app_url + NEUTRAL_PAGE)
        switch_language(page, lang)
        failures = scan(page, app_url, pages_for(app_pages, viewer), axe_source, ace_source, lang=lang)
    finally:
        page.close()
    assert not failures, f"logged in as the {viewer}, language {lang}:\n" + "\n".join(failures)


@pytest.mark.parametrize("viewer, owner", [("relative", "patient"), ("guardian1", "child")])
def test_what_relatives_and_guardians_see_passes_axe_and_reflows(signed_in, live, app_url, axe_source, ace_source,
                                                                 viewer, owner):
    """The same templates with less in them and a line saying whose plan it is: Anders on Sigrid's
    plan (meetings and contacts), Marte on her son Emil's, at 320 px."""
    with live[2].app_context():
        arguments = plan_url_arguments(live[2], owner)
    plan_pages = discover_pages(live[2], arguments)
    paths = [page.path for page in plan_pages if page.viewer == "patient" and not page.is_public and page.path]
    page = signed_in(viewer).new_page()
    try:
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
        page.goto(app_url + NEUTRAL_PAGE)
        switch_language(page, "nb")
        failures = scan(page, app_url, paths, axe_source, ace_source, lang="nb", theirs_only=True, reflow_width=REFLOW_WIDTH)
    finally:
        page.close()
    assert not failures, f"logged in as {viewer}:\n" + "\n".join(failures)


def test_public_pages_pass_axe_logged_out(page, app_url, public_pages, axe_source, ace_source):
    failures = scan(page, app_url, public_pages, axe_source, ace_source, lang="nb")
    assert not failures, "logged out:\n" + "\n".join(failures)


def unknown_synthetic_number() -> str:
    """A valid synthetic number that belongs to none of the demo people."""
    known = {person.pid for person in DEMO_PEOPLE}
    for individual in range(200, 300):
        try:
            pid = make_synthetic(dt.date(1990, 5, 17), individual)
        except ValueError:
            continue
        if pid not in known:
            return pid
    raise AssertionError("no synthetic number found")


def test_no_plan_page_passes_axe(page, login_with_number, assert_accessible):
    """Someone ID-porten knows but who has no plan: the page only they can reach."""
    login_with_number(page, unknown_synthetic_number())
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har ingen plan her ennå")
    assert_accessible(page, "/no-plan")


@pytest.mark.parametrize("viewer, lang", VIEWERS_AND_LANGUAGES)
def test_no_page_scrolls_sideways_at_320_px_even_with_text_at_200_percent(signed_in, app_url, app_pages, viewer, lang):
    """Reflow (1.4.10), then the same page with text at 200 % (1.4.4): nothing cut off or on top
    of something else. The words differ by language, so every language."""
    failures = []
    page = signed_in(viewer).new_page()
    try:
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
        page.goto(app_url + NEUTRAL_PAGE)
        switch_language(page, lang)
        for path in open_each(page, app_url, pages_for(app_pages, viewer)):
            if overflow := sideways_overflow(page, REFLOW_WIDTH):
                failures.append(f"{path}: {overflow}")
            failures += [f"{path} (text at 200 %): {problem}" for problem in zoom_problems(page, REFLOW_WIDTH)]
    finally:
        page.close()
    assert not failures, f"as the {viewer} ({lang}), {REFLOW_WIDTH} CSS px wide:\n" + "\n".join(failures)


# --- The checks themselves: a check that cannot fail is worse than none. ---------------


def test_the_reflow_check_sees_a_page_that_scrolls_sideways(page):
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
    page.set_content(
        '<!doctype html><meta name="viewport" content="width=device-width, initial-scale=1">'
        '<p>Fits.</p><div class="too-wide" style="width: 500px">Does not.</div>'
    )
    overflow = sideways_overflow(page, REFLOW_WIDTH)
    assert overflow and overflow["scrollWidth"] > REFLOW_WIDTH, overflow
    assert any(culprit.startswith("div.too-wide") for culprit in overflow["wide"]), overflow


def test_the_axe_check_names_rule_element_and_fix(page, axe_source):
    page.set_content('<!doctype html><html lang="nb"><title>T</title><main><img src="data:,"></main></html>')
    violations = axe_violations(page, axe_source)
    message = describe_violations(violations, "a page with an image without alt text")
    assert [violation["id"] for violation in violations] == ["image-alt"], message
    assert "image-alt (critical): Images must have alternative text" in message, message
    assert "at main > img" in message or "at img" in message, message


def test_the_ibm_check_names_rule_and_element(page, ace_source):
    """The three kinds of failure IBM Equal Access found first, on a page made to have them."""
    page.set_content(
        '<!doctype html><html lang="nb"><title>T</title><body><a href="#main">Hopp</a>'
        '<main id="main"><form method="post"><button>Logg ut</button></form>'
        '<article aria-label="Møte">a</article><article aria-label="Møte">b</article></main></body></html>'
    )
    violations = ace_violations(page, ace_source)
    message = describe_ace_violations(violations, "a page made to fail")
    rules = {violation["rule"] for violation in violations}
    assert {"aria_content_in_landmark", "aria_article_label_unique"} <= rules, message
    assert "aria_content_in_landmark: Content is not within a landmark element" in message, message
    assert "/html[1]/body[1]/a[1]" in message, message
