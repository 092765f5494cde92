"""Health checks for the load balancer and the process supervisor.

Cheap, without login, and revealing nothing but "yes" or "no": no versions, no counts,
no names of what failed (README: "Production behind a proxy").
"""

from __future__ import annotations

import logging

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from patient_app.access import public
from patient_app.extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

PLAIN = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/healthz/live")
@public
def live():
    """The process answers. Never touches the database: a database outage must not make
    the supervisor restart every healthy app server at once."""
    return "ok\n", 200, PLAIN


@bp.get("/healthz/ready")
@public
def ready():
    """This server can serve people: the database answers. Used before a server is put
    back behind the load balancer (tools/cluster.py rolling_restart)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.warning("not ready: database %s", type(error).__name__)
        db.session.rollback()
        return "not ready\n", 503, PLAIN | {"Retry-After": "5"}
    return "ok\n", 200, PLAIN
