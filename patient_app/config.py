"""Settings from the environment.

Development (the default for ``make run``) may use generated secrets kept in
``instance/``; production refuses to start without real ones.
"""

from __future__ import annotations

import os
from datetime import timedelta


class ConfigError(RuntimeError):
    """Raised at start-up when production settings are unsafe."""


MIN_SECRET_LENGTH = 32
KNOWN_WEAK_SECRETS = {"dev", "secret", "changeme", "development", "test"}


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    """Read settings from the environment (and instance/.env through make run)."""
    env = os.environ.get("MIN_PLAN_ENV", "development")
    database_url = os.environ.get(
        "DATABASE_URL", "sqlite:///" + os.path.join(instance_path, "min-plan.sqlite")
    )
    return {
        "ENV_NAME": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "PID_HASH_KEY": os.environ.get("PID_HASH_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", "http://127.0.0.1:5001"),
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", "min-plan"),
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET", ""),
        "OIDC_ACR_VALUES": os.environ.get("OIDC_ACR_VALUES", "idporten-loa-substantial"),
        "SESSION_COOKIE_SECURE": env != "development" and env != "testing",
        "ALLOW_SQLITE_IN_PRODUCTION": env_flag("ALLOW_SQLITE_IN_PRODUCTION"),
    }


BASE = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "min_plan_session",
    # Idle timeout: the session is permanent and refreshed on each request,
    # so it ends 30 minutes after the last one.
    "PERMANENT_SESSION_LIFETIME": timedelta(minutes=30),
    "SESSION_REFRESH_EACH_REQUEST": True,
    "ABSOLUTE_SESSION_LIFETIME": timedelta(hours=8),
    "BABEL_DEFAULT_LOCALE": "nb",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Oslo",
    "LANGUAGES": ("nb", "nn", "en"),
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "MAX_CONTENT_LENGTH": 256 * 1024,
}


def check_production_safety(config: dict) -> None:
    """Stop start-up loudly when production would run with unsafe settings."""
    if config.get("ENV_NAME") != "production":
        return
    problems = []
    for key in ("SECRET_KEY", "PID_HASH_KEY", "OIDC_CLIENT_SECRET"):
        value = config.get(key) or ""
        if len(value) < MIN_SECRET_LENGTH or value.lower() in KNOWN_WEAK_SECRETS:
            problems.append(f"{key} must be set to a random value of at least {MIN_SECRET_LENGTH} characters")
    if config.get("DEBUG"):
        problems.append("DEBUG must be off")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must be on (HTTPS only)")
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite") and not config.get(
        "ALLOW_SQLITE_IN_PRODUCTION"
    ):
        problems.append("use PostgreSQL (DATABASE_URL) or set ALLOW_SQLITE_IN_PRODUCTION=1")
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems))
