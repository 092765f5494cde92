"""Browser tests: Debian's Chromium driven by Playwright against the live system.

The app and the stand-in ID-porten run over real HTTP (the ``live`` fixture in
tests/conftest.py); here a person logs in by pressing the same buttons they
would press on a phone. Plain helpers are in helpers.py.

Every test in this folder is marked ``browser`` (see pytest_collection_modifyitems),
so ``pytest -m "not browser"`` leaves them out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from patient_app.demo.people import DEMO_PEOPLE
from patient_app.extensions import db
from tests.browser.helpers import (
    MISSING_PAGE,
    PHONE,
    AppPage,
    argument_names,
    ace_violations,
    axe_violations,
    describe_ace_violations,
    describe_violations,
    discover_pages,
    log_in,
    log_in_with_number,
    person_row,
    plan_url_arguments,
)
from tests.chromium import missing
from tests.conftest import app_on_new_database, live_system

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
ACE_JS = REPO / "node_modules" / "accessibility-checker-engine" / "ace.js"
ARTIFACTS = REPO / "test-artifacts"



@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark everything under tests/browser, before ``-m`` deselects (hence tryfirst)."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --- The browser ------------------------------------------------------------------


@pytest.fixture
def new_context(browser):
    """new_context(**options): another fresh phone browser, closed after the test."""
    opened = []

    def new_context(**options):
        context = browser.new_context(**(PHONE | options))
        opened.append(context)
        return context

    yield new_context
    for context in opened:
        context.close()


@pytest.fixture
def context(new_context):
    """A fresh browser per test (no cookies), on a phone 390×844."""
    return new_context()


@pytest.fixture
def page(context) -> Page:
    return context.new_page()


@pytest.fixture(scope="module")
def signed_in(browser, app_url):
    """signed_in(person_key): a phone browser logged in as that person, one per module
    and person (logging in once is enough). Tests that use it must leave it logged in.

    390 CSS px wide like PHONE, but at device_scale_factor 1: the layout is the same
    and axe runs about a quarter faster (these contexts scan every page).
    """
    contexts = {}

    def signed_in(person_key: str):
        if person_key not in contexts:
            context = browser.new_context(**(PHONE | {"device_scale_factor": 1}))
            log_in(context.new_page(), app_url, person_key)
            contexts[person_key] = context
        return contexts[person_key]

    yield signed_in
    for context in contexts.values():
        context.close()


@pytest.fixture
def artifacts() -> Path:
    """test-artifacts/ (ignored by git): screenshots for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- The live system and its data ----------------------------------------------------


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """The running system the browser tests share, on a database of its own: they send
    messages, grant access and change settings as people would, and the views tests
    read the seeded database expecting the demo data as seeded."""
    with app_on_new_database(tmp_path_factory) as app:
        with live_system(app.config["SQLALCHEMY_DATABASE_URI"]) as running:
            yield running


@pytest.fixture(scope="session")
def app_url(live) -> str:
    return live[0]


@pytest.fixture(scope="session")
def url_arguments(live) -> dict:
    """Values for the URL map's arguments, all from the patient's (Sigrid's) plan
    (see helpers.plan_url_arguments)."""
    app = live[2]
    with app.app_context():
        return plan_url_arguments(app, "patient")


@pytest.fixture(scope="session")
def app_pages(live, url_arguments) -> list[AppPage]:
    """Every GET page of the app, filled in for the patient's plan."""
    return discover_pages(live[2], url_arguments)


@pytest.fixture(scope="session")
def public_pages(app_pages) -> list[str]:
    """The pages anyone may open logged out, and the 404 page."""
    pages = [page.path for page in app_pages if page.is_public]
    for expected in ("/login", "/about-individual-plan", "/logged-out"):
        assert expected in pages, f"{expected} is no longer a public GET route"
    return pages + [MISSING_PAGE]


@pytest.fixture(scope="module", autouse=True)
def restore_preferred_languages(live):
    """Logging in and the language buttons write Person.preferred_locale in the shared
    demo database: put it back after each module, so later test packages see the seed's."""
    app = live[2]
    with app.app_context():
        before = {person.key: person_row(app, person.key).preferred_locale for person in DEMO_PEOPLE}
    yield
    with app.app_context():
        for key, locale in before.items():
            person_row(app, key).preferred_locale = locale
        db.session.commit()


# --- What a person does -------------------------------------------------------------


@pytest.fixture
def login(app_url):
    """login(page, person_key): press the buttons, as in helpers.log_in."""

    def login(page: Page, person_key: str) -> None:
        log_in(page, app_url, person_key)

    return login


@pytest.fixture
def login_with_number(app_url):
    """login_with_number(page, pid, keyboard=False): type the number, as in helpers.log_in_with_number."""

    def login_with_number(page: Page, pid: str, *, keyboard: bool = False) -> None:
        log_in_with_number(page, app_url, pid, keyboard=keyboard)

    return login_with_number


# --- axe-core -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        missing(f"axe-core ({AXE_JS})", "`make bootstrap` installs it (npm ci).")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def ace_source() -> str:
    """IBM Equal Access's engine (the second accessibility engine, helpers.ace_violations)."""
    if not ACE_JS.exists():
        missing(f"IBM Equal Access's accessibility-checker-engine ({ACE_JS})", "`make bootstrap` installs it (npm ci).")
    return ACE_JS.read_text(encoding="utf-8")


@pytest.fixture
def assert_accessible(axe_source, ace_source):
    """assert_accessible(page, where=None): no axe violations of WCAG 2.0/2.1 A and AA, and none
    from IBM Equal Access."""

    def assert_accessible(page: Page, where: str | None = None) -> None:
        violations = axe_violations(page, axe_source)
        assert not violations, describe_violations(violations, where or page.url)
        found = ace_violations(page, ace_source)
        assert not found, describe_ace_violations(found, where or page.url)

    return assert_accessible
