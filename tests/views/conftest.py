"""Helpers for view tests: log in as a demo person without the provider round trip.

The real OpenID Connect login is tested over HTTP in tests/auth/; here we set
the session the way a successful login does, to test what each person sees.
"""

from __future__ import annotations


import pytest
from flask_login.utils import _create_identifier
from bs4 import BeautifulSoup
from sqlalchemy import select

from patient_app import login_sessions
from patient_app.demo.people import demo_person
from patient_app.extensions import db
from patient_app.models import Person, Plan, hash_pid
from tests.views import fast_fresh_app, form_filling


def person_by_key(app, key: str) -> Person:
    with app.app_context():
        digest = hash_pid(demo_person(key).pid, app.config["PID_HASH_KEY"])
        return db.session.scalar(select(Person).where(Person.pid_hash == digest))


def person_by_number(app, number: str) -> Person:
    with app.app_context():
        digest = hash_pid(number, app.config["PID_HASH_KEY"])
        return db.session.scalar(select(Person).where(Person.pid_hash == digest))


def plan_of(app, owner_key: str) -> Plan:
    owner = person_by_key(app, owner_key)
    with app.app_context():
        return db.session.scalar(select(Plan).where(Plan.owner_id == owner.id))


class Browser:
    """A test client that knows who is logged in and parses what it gets back."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def login_as(self, key: str) -> Person:
        return self.login_as_person(person_by_key(self.app, key))

    def login_as_person(self, person: Person) -> Person:
        from importlib.metadata import version

        agent = f"Werkzeug/{version('werkzeug')}"  # what the test client sends
        with self.app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": agent}):
            identifier = _create_identifier()
        with self.app.app_context():
            signed_in = login_sessions.cookie_data_for(db.session.merge(person, load=False), agent)
        with self.client.session_transaction() as session:
            session.clear()
            session.update(signed_in)
            session.permanent = True  # as every real request makes it
            session["_id"] = identifier  # what login_user stores for session protection
        return person

    def get(self, url: str, expected_status: int = 200, **kwargs) -> BeautifulSoup:
        response = self.client.get(url, **kwargs)
        assert response.status_code == expected_status, (
            f"GET {url} answered {response.status_code}, expected {expected_status}"
        )
        return BeautifulSoup(response.get_data(as_text=True), "html.parser")


    def submit(self, page: BeautifulSoup, form_selector: str, data: dict | None = None, button: tuple | None = None,
               **kwargs):
        """Post a form as a person would: every field as the page shows it (the CSRF token too),
        what they typed instead, and the button they pressed (tests/views/form_filling.py)."""
        changes = dict(data or {})
        if button:
            changes[button[0]] = button[1]
        return form_filling.submit(self, page, form_selector, changes, **kwargs)

    def parse(self, response) -> BeautifulSoup:
        return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(element) -> str:
    """What a person reads in an element: its text with the white space of the HTML folded."""
    return " ".join(element.get_text(" ").split())


def error_for(page: BeautifulSoup, field_id: str) -> str:
    """The error shown at a field, which must be marked invalid and tied to it for screen readers."""
    field = page.select_one(f"#{field_id}")
    assert field is not None, f"no field #{field_id}"
    # A group of radios is marked invalid on each radio (a fieldset may not carry aria-invalid).
    controls = field.select("input") if field.name == "fieldset" else [field]
    assert all(c.get("aria-invalid") == "true" for c in controls), f"#{field_id} is not marked invalid"
    error_id = f"{field_id}-error"
    assert error_id in field.get("aria-describedby", "").split(), "the error must be tied to the field"
    return text(page.select_one(f"#{error_id}"))


@pytest.fixture
def browser(app, client):
    return Browser(app, client)


# Tests that write get a copy of a demo database built once per module (tests/views/fast_fresh_app.py),
# in place of tests/conftest.py's fresh_app, which builds one per test.
_seeded_sqlite_file = fast_fresh_app._seeded_sqlite_file
fresh_app = fast_fresh_app.fresh_app


@pytest.fixture
def fresh_browser(fresh_app):
    """A browser on a database of its own, for tests that change things."""
    return Browser(fresh_app, fresh_app.test_client())


@pytest.fixture
def sigrid(fresh_browser):
    """Sigrid's plan in a database of its own, with Sigrid logged in."""
    fresh_browser.login_as("patient")
    return plan_of(fresh_browser.app, "patient")


@pytest.fixture
def sigrid_plan(app):
    return plan_of(app, "patient")


@pytest.fixture
def emil_plan(app):
    return plan_of(app, "child")
