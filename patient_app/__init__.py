"""Min plan: the individual plan on the patient's phone."""

from __future__ import annotations

import json
import os
import secrets

from flask import Flask

from patient_app import config as settings
from patient_app.extensions import csrf, db, htmx, login_manager


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)

    app.config.update(settings.BASE)
    app.config.update(settings.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    if app.config["ENV_NAME"] == "development":
        _fill_development_secrets(app)
    settings.host_only_cookie_name(app.config)
    settings.check_production_safety(app.config)

    db.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)

    from patient_app import assets, glossary, i18n, logs, metrics, notify, proxies, rate_limits, security, templating
    from patient_app.auth import init_auth

    proxies.init_app(app)
    metrics.init_app(app)
    rate_limits.init_app(app)
    logs.init_app(app)
    i18n.init_app(app)
    login_manager.init_app(app)
    init_auth(app)
    security.init_app(app)
    templating.init_app(app)
    glossary.init_app(app)
    assets.init_app(app)  # hashed, precompressed static files; asset() in templates
    notify.init_app(app)  # the VAPID key for Web Push

    from patient_app import cli, errors
    from patient_app.views import register_blueprints

    register_blueprints(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def _fill_development_secrets(app: Flask) -> None:
    """On a developer's machine, generate secrets once and keep them in instance/.

    Never used in production: check_production_safety refuses empty secrets there.
    """
    path = os.path.join(app.instance_path, "dev-secrets.json")
    stored = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            stored = json.load(handle)
    changed = False
    for key in ("SECRET_KEY", "PID_HASH_KEY", "OIDC_CLIENT_SECRET"):
        if app.config.get(key):
            continue
        if key not in stored:
            stored[key] = secrets.token_urlsafe(32)
            changed = True
        app.config[key] = stored[key]
    if changed:
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
            json.dump(stored, handle)
