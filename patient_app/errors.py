"""Friendly, translated error pages; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, make_response, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    @app.errorhandler(400)
    def bad_request(_error):
        return render_template("errors/400.html"), 400

    @app.errorhandler(CSRFError)
    def csrf_failed(_error):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return render_template("errors/404.html"), 405

    @app.errorhandler(413)
    def too_large(_error):
        return render_template("errors/400.html"), 413

    @app.errorhandler(429)
    def too_many_requests(error):
        response = make_response(render_template("errors/429.html", limit=getattr(error, "limit", None)), 429)
        return response

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        log.error("database unavailable: %s", type(error).__name__)
        # The page must not ask the database who is logged in: show it as to a visitor.
        from flask import g

        from patient_app.extensions import db, login_manager

        g._login_user = login_manager.anonymous_user()
        db.session.rollback()
        return render_template("errors/503.html"), 503

    @app.errorhandler(500)
    def server_error(_error):
        # The page asks who is logged in; a write that failed in the database would fail that too.
        from patient_app.extensions import db

        db.session.rollback()
        return render_template("errors/500.html"), 500
