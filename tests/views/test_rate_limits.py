import socket
import time
import uuid

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from patient_app import create_app
from patient_app.extensions import db
from tests.conftest import TEST_CONFIG
from tests.views.conftest import Browser


@pytest.fixture
def limited_app(tmp_path):
    return create_app({**TEST_CONFIG, "RATELIMIT_ENABLED": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/l.sqlite"})


def test_the_login_callback_is_rate_limited_with_a_clear_page(limited_app):
    client = limited_app.test_client()
    statuses = [client.get("/login/callback?error=access_denied").status_code for _ in range(20)]
    assert set(statuses) == {302}
    refused = client.get("/login/callback?error=access_denied")
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    page = BeautifulSoup(refused.get_data(as_text=True), "html.parser")
    assert page.h1.get_text(strip=True) == "For mange forsøk"
    assert "Ingenting ble endret." in page.select_one("main").get_text()


# --- Shared between workers, and what happens when the store is down -----------------------
# Redis runs on these machines (.ci/run starts it when it is down); tests/production runs the
# same against two gunicorn servers behind nginx.

REDIS = "redis://127.0.0.1:6379/0"


def worker(tmp_path, **settings):
    """One more app process on the same database, as another gunicorn worker would be."""
    return create_app({**TEST_CONFIG, "RATELIMIT_ENABLED": True,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/l.sqlite", **settings})


def test_two_workers_share_one_count(tmp_path):
    prefix = f"test-{uuid.uuid4().hex}"
    first, second = (worker(tmp_path, RATELIMIT_STORAGE_URI=REDIS, RATELIMIT_KEY_PREFIX=prefix) for _ in range(2))
    callbacks = [app.test_client().get("/login/callback?error=access_denied").status_code
                 for app in [first, second] * 10]
    assert callbacks == [302] * 20  # CALLBACK_RATE_LIMIT: 20 per minute, in all
    assert first.test_client().get("/login/callback?error=access_denied").status_code == 429
    assert second.test_client().get("/login/callback?error=access_denied").status_code == 429


def test_with_the_store_down_logging_in_goes_on(tmp_path):
    app = worker(tmp_path, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}/0")
    client = app.test_client()
    started = time.monotonic()
    assert [client.get("/login/callback?error=access_denied").status_code for _ in range(30)] == [302] * 30
    assert time.monotonic() - started < 2, "after one failed connect the store is left alone for a while"


def test_with_the_store_down_granting_access_waits_and_changes_nothing(fresh_app):
    from patient_app.models import GrantEvent
    from tests.views.conftest import plan_of
    from tests.views.test_sharing import fill_grant_form

    app = create_app({**TEST_CONFIG, "RATELIMIT_ENABLED": True,
                      "SQLALCHEMY_DATABASE_URI": fresh_app.config["SQLALCHEMY_DATABASE_URI"],
                      "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{closed_port()}/0"})
    browser = Browser(app, app.test_client())
    plan = plan_of(app, "patient")
    browser.login_as("patient")
    confirm_page = browser.parse(fill_grant_form(browser, plan))
    refused = browser.submit(confirm_page, "main form")
    assert refused.status_code == 503 and int(refused.headers["Retry-After"]) > 0
    page = BeautifulSoup(refused.get_data(as_text=True), "html.parser")
    assert page.h1.get_text(strip=True) == "Tjenesten er ikke tilgjengelig akkurat nå"
    with app.app_context():
        assert db.session.scalar(select(func.count(GrantEvent.id))) == 0
        db.engine.dispose()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
