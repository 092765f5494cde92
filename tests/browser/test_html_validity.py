"""Every page a patient, relative, guardian and coordinator can open, and the public pages,
valid HTML by the W3C's checker (html_validator.py): zero errors.

The pages are the served HTML, as the checker at validator.w3.org reads it, rendered for
each role by tests/views/pages.py from the URL map, so a new page is checked without anyone
adding it here.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import MISSING_PAGE
from tests.browser.html_validator import VNU_JAR, describe, java, validate
from tests.chromium import missing
from tests.views.pages import ROLES, render


@pytest.fixture(scope="module")
def validator():
    if not VNU_JAR.exists():
        missing(f"The W3C HTML checker ({VNU_JAR})", "`make bootstrap` installs it (npm ci).")
    if not java():
        missing("Java (for the W3C HTML checker)", "`make test` installs it (Debian's default-jre-headless).")
    return validate


def test_every_page_is_valid_html_for_every_role(live, validator, tmp_path):
    app = live[2]
    pages = {}
    for role in ROLES:
        for page, html in render(app, role):
            pages[f"{role} {page.path}"] = html
    client = app.test_client()
    missing_page = client.get(MISSING_PAGE)
    assert missing_page.status_code == 404
    pages[f"logged out {MISSING_PAGE}"] = missing_page.get_data(as_text=True)
    for role in ("patient", "relative", "guardian", "coordinator", "logged out"):
        assert any(label.startswith(f"{role} /") for label in pages), f"no page rendered for the {role}"
    errors = validator(pages, tmp_path)
    assert not errors, describe(errors)


def test_the_checker_sees_invalid_html(validator, tmp_path):
    """A check that cannot fail is worse than none: an htmx attribute without data-, and a time
    with microseconds, are the two errors it found first."""
    html = ('<!doctype html><html lang="nb"><title>T</title><main hx-get="/x">'
            '<time datetime="2026-12-02T10:00:00.123456+01:00">i dag</time></main></html>')
    errors = validator({"bad page": html, "good page": html.replace("hx-get", "data-hx-get")
                        .replace(".123456", ".123")}, tmp_path)
    assert list(errors) == ["bad page"], errors
    assert len(errors["bad page"]) == 2, errors
    assert "hx-get" in errors["bad page"][0] and "fraction of a second" in errors["bad page"][1], errors
