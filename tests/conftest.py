"""Fixtures shared by every test package: an app on a fresh database with the demo plans.

DATABASE_URL_TEST picks the database server: unset means a temporary SQLite
file; ``postgresql+psycopg://...`` runs the same tests against PostgreSQL.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
import uuid

import pytest
from sqlalchemy import create_engine, text

from patient_app import create_app
from patient_app.database import Base
from patient_app.demo.seed import seed_demo
from patient_app.extensions import db


def _database_url(tmp_path_factory) -> tuple[str, callable]:
    server = os.environ.get("DATABASE_URL_TEST", "")
    if not server.startswith("postgresql"):
        path = tmp_path_factory.mktemp("db") / "test.sqlite"
        return f"sqlite:///{path}", lambda: None
    name = "min_plan_test_" + uuid.uuid4().hex[:8]
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base = server.rsplit("/", 1)[0]

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{base}/{name}", drop


# The browser fixtures, shared by tests/browser and tests/production (tests/chromium.py).
pytest_plugins = ["tests.chromium"]


TEST_CONFIG = {
    "ENV_NAME": "testing",
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
    "PID_HASH_KEY": "test-pid-hash-key-that-is-long-enough-too",
    "OIDC_CLIENT_SECRET": "test-client-secret",
    # No provider listens here (the discard port): tests without the live system must
    # not read the discovery document of whatever `make run` someone has going on 5001.
    "OIDC_ISSUER": "http://127.0.0.1:9",
    # POPULATION_REGISTER_URL comes from the environment: the population_register fixture
    # below sets it for the whole run (this module is also imported as tests.conftest, a
    # second copy whose dict a fixture could not reach).
    "SESSION_COOKIE_SECURE": False,
    # Tests that are about the limits switch them on for their own app (tests/views/test_rate_limits.py).
    "RATELIMIT_ENABLED": False,
}


# Where nothing answers: the discard port.
NO_SERVICE = "http://127.0.0.1:9"

# People the tests give access to, as the register knows them (synthetic numbers).
BERIT_HOLM = {"pid": "01886010733", "given_name": "Berit", "family_name": "Holm"}
NOT_IN_REGISTER = "17859010067"  # valid and synthetic, but the register answers that it has no such person
KARI_TESTESEN = {"pid": "09846210889", "given_name": "Kari", "family_name": "Testesen"}
TORE_TASTESEN = {"pid": "02915811402", "given_name": "Tore", "family_name": "Tastesen"}
REGISTER_TEST_PERSONS = [BERIT_HOLM, KARI_TESTESEN, TORE_TASTESEN, {"pid": NOT_IN_REGISTER, "in_register": False}]


@pytest.fixture(scope="session", autouse=True)
def population_register():
    """The stand-in population register over real HTTP, for every app the run creates."""
    import population_register_standin

    from patient_app.demo.people import register_persons
    from tests.live import serving

    with serving("127.0.0.1") as (url, set_app):
        set_app(population_register_standin.create_app({"PERSONS": register_persons() + REGISTER_TEST_PERSONS}))
        before = os.environ.get("POPULATION_REGISTER_URL")
        os.environ["POPULATION_REGISTER_URL"] = url
        yield url
        if before is None:
            del os.environ["POPULATION_REGISTER_URL"]
        else:
            os.environ["POPULATION_REGISTER_URL"] = before


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url, drop = _database_url(tmp_path_factory)
    yield url
    drop()


@pytest.fixture(scope="session")
def seeded_app(database_url, tmp_path_factory):
    """One app and database for the whole run; tests that write use their own (``fresh_app``)."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        # The schema comes straight from the models here; tests/unit/test_migrations.py
        # proves the Alembic migrations build the same schema.
        Base.metadata.create_all(db.engine)
        seed_demo()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(seeded_app):
    return seeded_app


@contextmanager
def app_on_new_database(tmp_path_factory, seed=seed_demo):
    """An app on a database of its own (SQLite, or PostgreSQL with DATABASE_URL_TEST), seeded."""
    url, drop = _database_url(tmp_path_factory)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        seed()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        drop()


@pytest.fixture
def fresh_app(tmp_path_factory):
    """An app on its own new database with the demo data, for tests that change things."""
    with app_on_new_database(tmp_path_factory) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


def demo_persons_for_standin():
    from patient_app.demo.people import DEMO_PEOPLE

    return [{"pid": p.pid, "label": f"{p.name} ({p.description})"} for p in DEMO_PEOPLE]


class RunningSystem(tuple):
    """(app_url, issuer, app), and the stand-in's Flask app as .provider for tests that need its keys."""

    provider = None


@contextmanager
def live_system(
    database_url: str, faults: dict | None = None, app_host: str = "127.0.0.1", client_key: dict | None = None,
    logout_channels=("front", "back"), register_up: bool = True,
):
    """The stand-in provider and the app, both over real HTTP. Yields (app_url, issuer, app).

    With client_key (a private JWK) the app authenticates with private_key_jwt, and the
    stand-in knows only the public half. logout_channels: how the stand-in tells the app
    of a logout at the provider. The stand-in population register runs beside them
    (register_up=False: nothing answers where the app looks for it).

    The provider listens on "localhost" and the app on 127.0.0.1 so that the
    browser keeps their cookies apart, as it would for two real sites. Like
    ID-porten, the provider has two origins: the issuer's (discovery, JWKS,
    token) and the login pages' (another port), so a CSP that allowed only the
    issuer would break every login here.
    """
    import idporten_standin
    import population_register_standin

    from patient_app.demo.people import register_persons
    from tests.live import serving, standin_config

    with (
        serving("localhost") as (issuer, set_provider),
        serving("localhost") as (login_url, set_login_pages),
        serving(app_host) as (app_url, set_app),
        serving("127.0.0.1") as (register_url, set_register),
    ):
        set_register(population_register_standin.create_app({"PERSONS": register_persons() + REGISTER_TEST_PERSONS}))
        provider = idporten_standin.create_app(
            standin_config(
                issuer, login_url, app_url, TEST_CONFIG["OIDC_CLIENT_SECRET"], demo_persons_for_standin(), faults,
                client_jwks=public_key_set(client_key), logout_channels=logout_channels,
            )
        )
        set_provider(provider)
        set_login_pages(provider)
        register = register_url if register_up else NO_SERVICE
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "OIDC_ISSUER": issuer,
                          "POPULATION_REGISTER_URL": register, **private_key_jwt_settings(client_key)})
        set_app(app)
        running = RunningSystem((app_url, issuer, app))
        running.provider = provider
        yield running


def public_key_set(private_jwk: dict | None) -> dict | None:
    if private_jwk is None:
        return None
    from authlib.jose import JsonWebKey

    return {"keys": [JsonWebKey.import_key(private_jwk).as_dict(is_private=False) | {"kid": private_jwk["kid"]}]}


def private_key_jwt_settings(private_jwk: dict | None) -> dict:
    if private_jwk is None:
        return {}
    import json

    return {"OIDC_CLIENT_AUTH_METHOD": "private_key_jwt", "OIDC_CLIENT_KEY": json.dumps(private_jwk)}


@pytest.fixture(scope="session")
def live(seeded_app, database_url):
    """A running system on the seeded database: (app_url, issuer, app)."""
    with live_system(database_url) as running:
        yield running


# --- Privacy of logs -----------------------------------------------------------------
# Every log record of the whole run is kept and scanned at the end: an identity
# number or a health detail in any log fails the run, whichever test caused it.

import logging  # noqa: E402


class _EveryRecord(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record):
        try:
            self.texts.append(f"{record.name}: {record.getMessage()}")
        except Exception:  # a broken record is not our concern here
            pass


_LOG_RECORDS = _EveryRecord()

# Texts that must never reach a log, besides the demo identity numbers: health
# details and message texts from the demo data and the tests.
SENSITIVE_TEXTS = [
    "hjerneskade",
    "Jeg sover dårlig flere netter",
    "Sigrid går tur med hunden",
]


def pytest_configure(config):
    logging.getLogger().addHandler(_LOG_RECORDS)


def privacy_leaks(texts: list[str]) -> list[tuple[str, str]]:
    """(what leaked, the log text) for every demo identity number or health text in ``texts``."""
    from patient_app.demo.people import DEMO_PEOPLE

    secrets_in_logs = [p.pid for p in DEMO_PEOPLE] + SENSITIVE_TEXTS
    return [(s, text) for text in texts for s in secrets_in_logs if s in text]


def pytest_sessionfinish(session, exitstatus):
    leaks = privacy_leaks(_LOG_RECORDS.texts)
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line(f"PRIVACY: {len(leaks)} log records hold an identity number or a health detail:", red=True)
        for secret, text in leaks[:10]:
            reporter.write_line(f"  {secret!r} in: {text[:200]}", red=True)
        session.exitstatus = 1
