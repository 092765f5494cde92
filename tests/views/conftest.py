"""Helpers for view tests: log in as a demo person without the provider round trip.

The real OpenID Connect login is tested over HTTP in tests/auth/; here we set
the session the way a successful login does, to test what each person sees.
"""

from __future__ import annotations

import time

import pytest
from flask_login.utils import _create_identifier
from bs4 import BeautifulSoup
from sqlalchemy import select

from patient_app import login_sessions
from patient_app.demo.people import demo_person
from patient_app.extensions import db
from patient_app.models import Person, Plan, hash_pid


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


    def submit(self, page: BeautifulSoup, form_selector: str, data: dict | None = None, button: tuple | None = None):
        """Post a form as a person would: its hidden fields (CSRF token too), what they typed, the button pressed."""
        form = page.select_one(form_selector)
        assert form is not None, f"no form matches {form_selector!r}"
        fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]") if i.get("name")}
        fields.update(data or {})
        if button:
            fields[button[0]] = button[1]
        return self.client.post(form["action"], data=fields)

    def parse(self, response) -> BeautifulSoup:
        return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.fixture
def browser(app, client):
    return Browser(app, client)


@pytest.fixture
def fresh_browser(fresh_app):
    """A browser on a database of its own, for tests that change things."""
    return Browser(fresh_app, fresh_app.test_client())


@pytest.fixture
def sigrid_plan(app):
    return plan_of(app, "patient")


@pytest.fixture
def emil_plan(app):
    return plan_of(app, "child")
