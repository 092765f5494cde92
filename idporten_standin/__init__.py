"""A stand-in for ID-porten: a small OpenID Connect provider for development and tests.

It behaves like Norway's ID-porten (authorization code flow with PKCE, pairwise
sub, pid, acr levels) and shows a TestID-style page where you pick a synthetic
person. Never use it in production: anyone can log in as anyone.
"""

from __future__ import annotations

import logging

from flask import Flask

from .config import load_settings
from .server import build_provider
from .views import bp

log = logging.getLogger(__name__)


def create_app(config: dict | None = None) -> Flask:
    settings = load_settings(config)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # Cookies ignore the port: on 127.0.0.1 the patient app's session cookie
        # would otherwise collide with ours.
        SESSION_COOKIE_NAME="idporten_standin_session",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )
    # Authlib logs issued tokens at DEBUG level; tokens must never reach a log.
    if logging.getLogger("authlib").getEffectiveLevel() < logging.INFO:
        logging.getLogger("authlib").setLevel(logging.INFO)

    app.extensions["idporten_standin"] = build_provider(app, settings)
    app.register_blueprint(bp)
    if settings.faults:
        log.warning("TEST-ONLY faults are on: %s", ", ".join(sorted(settings.faults)))
    if not settings.clients:
        log.warning("No clients configured; set IDPORTEN_STANDIN_CLIENTS")
    return app
