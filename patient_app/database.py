"""SQLAlchemy 2.x engine and a session per app context, without Flask-SQLAlchemy.

The engine lives on the app (``app.extensions``), not on this module, so that
tests can run several apps side by side.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    pass


def _enable_sqlite_foreign_keys(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """``db.session`` is one session per app context (so per request)."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        app.extensions["database"] = {
            "engine": engine,
            "sessionmaker": sessionmaker(engine, expire_on_commit=False),
        }
        app.teardown_appcontext(self._remove_session)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["database"]["engine"]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["database"]["sessionmaker"]()
        return g.db_session

    @staticmethod
    def _remove_session(_exc=None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
