"""Fixtures for push notifications: an app on its own database, the fake push service, a clock."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from patient_app.demo.people import demo_person
from patient_app.extensions import db
from patient_app.models import Person, Plan, PushSubscription, hash_pid
from patient_app.notify.worker import PushWorker, WorkerSettings
from tests.conftest import app_on_new_database
from tests.notify.fake_push import FakePushService, FakeSubscription


@pytest.fixture
def push_app(tmp_path_factory):
    """A new database with the demo plans for each test: these tests write."""
    with app_on_new_database(tmp_path_factory) as app:
        yield app


@pytest.fixture
def fake_push():
    with FakePushService() as service:
        yield service


class Clock:
    """Time the worker sees; tests move it instead of sleeping.

    It starts a minute ahead of the wall clock, so what a test queues (stamped
    with the real time) is due at once.
    """

    def __init__(self):
        self.now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def make_worker(push_app, clock):
    def make_worker(**settings) -> PushWorker:
        return PushWorker(push_app, settings=WorkerSettings(**settings), clock=clock)

    return make_worker


def person(key: str) -> Person:
    """The demo person, in the current app context."""
    from flask import current_app

    digest = hash_pid(demo_person(key).pid, current_app.config["PID_HASH_KEY"])
    return db.session.scalar(select(Person).where(Person.pid_hash == digest))


def owned_plan(key: str) -> Plan:
    return db.session.scalar(select(Plan).where(Plan.owner_id == person(key).id))


def add_device(service: FakePushService, key: str) -> FakeSubscription:
    """A device of this demo person, subscribed at the fake push service."""
    subscription = service.subscribe()
    db.session.add(
        PushSubscription(
            person_id=person(key).id,
            endpoint=subscription.endpoint,
            p256dh=subscription.p256dh,
            auth=subscription.auth,
            device_label="Test",
        )
    )
    db.session.commit()
    return subscription
