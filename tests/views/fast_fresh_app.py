"""A faster ``fresh_app`` for test modules that write a lot: the demo database is built
once per module and copied for each test (SQLite only; on PostgreSQL each test
builds its own, as tests/conftest.py does).

tests/views/conftest.py puts it in place of tests/conftest.py's ``fresh_app`` for every
test in tests/views.
"""

from __future__ import annotations

import os
import shutil

import pytest

from patient_app import create_app
from patient_app.database import Base
from patient_app.demo.seed import seed_demo
from patient_app.extensions import db
from tests.conftest import TEST_CONFIG, _database_url


def _build(url: str):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        seed_demo()
    return app


@pytest.fixture(scope="module")
def _seeded_sqlite_file(tmp_path_factory):
    if os.environ.get("DATABASE_URL_TEST", "").startswith("postgresql"):
        yield None
        return
    path = tmp_path_factory.mktemp("seeded") / "seeded.sqlite"
    app = _build(f"sqlite:///{path}")
    with app.app_context():
        db.engine.dispose()
    yield path


@pytest.fixture
def fresh_app(_seeded_sqlite_file, tmp_path_factory):
    """An app on its own copy of the demo database."""
    if _seeded_sqlite_file is None:
        url, drop = _database_url(tmp_path_factory)
        app = _build(url)
    else:
        copy = tmp_path_factory.mktemp("db") / "test.sqlite"
        shutil.copyfile(_seeded_sqlite_file, copy)
        url, drop = f"sqlite:///{copy}", (lambda: None)
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    yield app
    with app.app_context():
        db.engine.dispose()
    drop()
