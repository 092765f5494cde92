"""The accessibility statement ("Tilgjengelighetserklæring") is public, linked from every
page, and says only what the tests prove.

Its claims come from patient_app/accessibility.py. Here each claim is held against
the tests it names: the test functions exist, and they cover at least the roles,
languages, widths and limits the page states (they may cover more).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from patient_app import accessibility
from patient_app.i18n import LANGUAGE_NAMES
from tests.views.pages import ROLES, render

ROOT = Path(__file__).resolve().parents[2]
STATEMENT = "/accessibility-statement"


def parametrized(function, *names) -> list[tuple]:
    """The values a test function is parametrized with, as tuples of ``names``."""
    for mark in getattr(function, "pytestmark", []):
        if mark.name == "parametrize":
            argnames = [name.strip() for name in mark.args[0].split(",")] if isinstance(mark.args[0], str) else list(mark.args[0])
            rows = [row if isinstance(row, tuple) else (row,) for row in mark.args[1]]
            return [tuple(dict(zip(argnames, row))[name] for name in names) for row in rows]
    raise AssertionError(f"{function.__name__} is not parametrized")


def statement(client, locale="nb") -> BeautifulSoup:
    with client.session_transaction() as session:
        session["locale"] = locale
    response = client.get(STATEMENT)
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


# --- The tests it names exist -------------------------------------------------------


def defined_tests(path: Path) -> set[str]:
    return {node.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_every_test_the_statement_names_exists():
    missing = []
    for check in accessibility.CHECKS:
        assert check.tests, f"the claim {check.key!r} names no test"
        for test in check.tests:
            path, _, name = test.partition("::")
            if not (ROOT / path).exists() or name not in defined_tests(ROOT / path):
                missing.append(f"{check.key}: {test}")
    assert not missing, "the accessibility statement names tests that do not exist:\n" + "\n".join(missing)


def test_the_page_shows_every_claim_and_the_test_behind_it(client):
    page = statement(client)
    shown = {li["data-check"] for li in page.select("main li[data-check]")}
    named = {code.get_text() for code in page.select("main code[data-check]")}
    assert shown == {check.key for check in accessibility.CHECKS}
    assert named == {test for check in accessibility.CHECKS for test in check.tests}


# --- The tests cover what it says ---------------------------------------------------


def test_axe_runs_on_every_page_with_the_rules_and_as_the_people_it_says():
    from tests.browser import helpers, test_accessibility

    assert set(accessibility.WCAG_TAGS) <= set(helpers.WCAG_TAGS), "axe no longer runs every WCAG 2.1 A/AA rule"
    scanned = set(parametrized(test_accessibility.test_every_page_passes_axe_logged_in, "viewer", "lang"))
    claimed = {(role, lang) for role, langs in accessibility.AXE_SCANS.items() for lang in langs}
    assert claimed <= scanned, f"the statement claims axe scans {sorted(claimed - scanned)} that the test does not run"


def test_reflow_is_tested_at_the_width_and_as_the_people_it_says():
    from tests.browser import test_accessibility

    assert test_accessibility.REFLOW_WIDTH == accessibility.REFLOW_WIDTH
    viewers = {row[0] for row in parametrized(test_accessibility.test_no_page_scrolls_sideways_at_320_px_even_with_text_at_200_percent, "viewer")}
    assert set(accessibility.REFLOW_VIEWERS) <= viewers


def test_lix_is_measured_with_the_limit_and_as_the_people_it_says():
    from tests.views import test_plain_language

    assert test_plain_language.LIX_LIMIT == accessibility.LIX_LIMIT
    assert set(accessibility.LIX_ROLES) <= set(ROLES)


def test_the_languages_it_names_are_the_ones_the_app_has_and_the_catalogues_test_checks():
    from tests.unit import test_translations

    assert set(accessibility.LANGUAGES_IN_TEXT) == set(LANGUAGE_NAMES)
    assert set(test_translations.LANGUAGES) == set(LANGUAGE_NAMES) - {"nb"}  # bokmål is the source


def test_the_page_states_the_numbers_from_the_same_constants(client):
    text = statement(client).main.get_text(" ", strip=True)
    for expected in (f"WCAG {accessibility.WCAG_VERSION}", f"nivå {accessibility.WCAG_LEVEL}",
                     f"LIX på høyst {accessibility.LIX_LIMIT}", f"{accessibility.REFLOW_WIDTH} piksler",
                     "bokmål, nynorsk og engelsk"):
        assert expected in text


# --- What a person needs from it ----------------------------------------------------


def test_it_has_the_standard_the_law_a_contact_and_the_complaint_route(client, app):
    page = statement(client)
    assert page.h1.get_text(strip=True) == "Tilgjengelighetserklæring"
    text = page.main.get_text(" ", strip=True)
    assert "likestillings- og diskrimineringsloven" in text
    assert "forskrift om universell utforming av IKT-løsninger" in text
    headings = [h2.get_text(strip=True) for h2 in page.select("main h2")]
    assert "Dette er ikke godt nok ennå" in headings
    gaps = page.select_one("main h2:-soup-contains('Dette er ikke godt nok') + ul").select("li")
    assert len(gaps) >= 3
    contact = page.select_one(f"main a[href='mailto:{app.config['ACCESSIBILITY_FEEDBACK_EMAIL']}']")
    assert contact is not None
    assert page.select_one(f"main a[href='{accessibility.UUTILSYNET_URL}']") is not None


@pytest.mark.parametrize(("locale", "heading"), [("nn", "Tilgjengelegheitserklæring"), ("en", "Accessibility statement")])
def test_it_is_translated(client, locale, heading):
    page = statement(client, locale)
    assert page.h1.get_text(strip=True) == heading
    claims = [li.get_text(" ", strip=True) for li in page.select("main li[data-check]")]
    bokmal = [li.get_text(" ", strip=True) for li in statement(client, "nb").select("main li[data-check]")]
    assert all(claim != original for claim, original in zip(claims, bokmal, strict=True)), claims


@pytest.fixture(scope="module")
def every_page(seeded_app):
    return [(role, page, html) for role in ("patient", "logged out") for page, html in render(seeded_app, role)]


def test_every_page_links_to_it_from_the_footer(every_page):
    without = [f"{page.path} as {role}" for role, page, html in every_page
               if not BeautifulSoup(html, "html.parser").select_one(f"footer a[href='{STATEMENT}']")]
    assert len(every_page) >= 20
    assert not without, "no link to the accessibility statement in the footer:\n" + "\n".join(without)


def test_the_error_pages_link_to_it_too(client):
    response = client.get("/this-page-does-not-exist")
    assert response.status_code == 404
    assert BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(f"footer a[href='{STATEMENT}']")
