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
# A random secret of 32 characters or more uses many different ones (token_urlsafe: about 30,
# hex: all 16); "xxxx…" or "abab…" is typed, not generated.
MIN_DISTINCT_SECRET_CHARACTERS = 10
SECRET_KEYS = ("SECRET_KEY", "PID_HASH_KEY", "OIDC_CLIENT_SECRET")
# MIN_PLAN_ENV, exactly: anything else ("Production", "prod") would start without the production checks.
ENVIRONMENTS = ("development", "testing", "production")


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _count(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number, not {value!r}")
    return int(value)


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
        # client_secret_basic (a shared secret) or private_key_jwt (OIDC_CLIENT_KEY, a private JWK).
        "OIDC_CLIENT_AUTH_METHOD": os.environ.get("OIDC_CLIENT_AUTH_METHOD", "client_secret_basic"),
        "OIDC_CLIENT_KEY": os.environ.get("OIDC_CLIENT_KEY", ""),
        # Folkeregisteret, or the stand-in beside the stand-in ID-porten (make run).
        "POPULATION_REGISTER_URL": os.environ.get("POPULATION_REGISTER_URL", "http://127.0.0.1:5003"),
        "OIDC_ACR_VALUES": os.environ.get("OIDC_ACR_VALUES", "idporten-loa-substantial"),
        "SESSION_COOKIE_SECURE": env != "development" and env != "testing",
        "ALLOW_SQLITE_IN_PRODUCTION": env_flag("ALLOW_SQLITE_IN_PRODUCTION"),
        # Where the rate limits are counted: redis://… in production, so every server and worker
        # shares one count that survives a restart (patient_app/rate_limits.py).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # How many proxies in front append to X-Forwarded-For (patient_app/proxies.py).
        "TRUSTED_PROXIES": _count("TRUSTED_PROXIES", 0),
        # Web Push (patient_app/notify). `flask vapid-keys` makes a key; in
        # development one is generated into instance/ (notify/vapid.py development_vapid_key).
        "VAPID_PRIVATE_KEY": os.environ.get("VAPID_PRIVATE_KEY", ""),
        "VAPID_SUBJECT": os.environ.get("VAPID_SUBJECT", "mailto:drift@min-plan.example"),
        # The worker only ever posts to these push services (no SSRF through a forged subscription).
        "PUSH_ENDPOINT_HOSTS": tuple(
            host.strip()
            for host in os.environ.get("PUSH_ENDPOINT_HOSTS", DEFAULT_PUSH_ENDPOINT_HOSTS).split(",")
            if host.strip()
        ),
        # The fake push service in the tests listens on http://127.0.0.1.
        "PUSH_ALLOW_LOCAL_ENDPOINTS": env in ("development", "testing"),
        # Where the accessibility statement asks people to send feedback (the municipality's address).
        "ACCESSIBILITY_FEEDBACK_EMAIL": os.environ.get("ACCESSIBILITY_FEEDBACK_EMAIL", "tilgjengelighet@min-plan.example"),
    }


# Chromium (FCM), Firefox (Mozilla autopush), Safari (Apple) and Edge (WNS); suffixes match subdomains.
DEFAULT_PUSH_ENDPOINT_HOSTS = (
    "fcm.googleapis.com,android.googleapis.com,updates.push.services.mozilla.com,"
    "web.push.apple.com,notify.windows.com"
)


BASE = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "min_plan_session",
    # Idle timeout: the session is permanent and refreshed on each request,
    # so it ends 30 minutes after the last one.
    "PERMANENT_SESSION_LIFETIME": timedelta(minutes=30),
    "SESSION_REFRESH_EACH_REQUEST": True,
    "ABSOLUTE_SESSION_LIFETIME": timedelta(hours=8),
    # How long before the idle timeout the page offers "Fortsett å være innlogget".
    "IDLE_WARNING_BEFORE": timedelta(minutes=2),
    "BABEL_DEFAULT_LOCALE": "nb",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Oslo",
    "LANGUAGES": ("nb", "nn", "en"),
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    # The token is always checked; where a form came from is checked by
    # security.refuse_cross_site_writes, which needs no Referer (README: "CSRF").
    "WTF_CSRF_SSL_STRICT": False,
    "MAX_CONTENT_LENGTH": 256 * 1024,
    # Limits on what can be abused, each keyed as patient_app/rate_limits.py says.
    # Per client address: starting a login, and ID-porten sending the person back.
    "LOGIN_RATE_LIMIT": "10 per minute; 50 per hour",
    "CALLBACK_RATE_LIMIT": "20 per minute",
    # Per person (hashed identity number), counted once ID-porten has said who it is.
    "LOGIN_PERSON_RATE_LIMIT": "10 per minute; 30 per hour",
    # Per person: enough for a real conversation, too few to flood a coordinator's inbox.
    # Polling for new messages is not counted.
    "MESSAGE_RATE_LIMIT": "30 per minute; 300 per day",
    "GRANT_RATE_LIMIT": "20 per hour",
    # Per private calendar address (a phone polls every 5 minutes at most often).
    "CALENDAR_FEED_RATE_LIMIT": "60 per hour",
    # The domain in each calendar event's UID: fixed, so an event stays the same
    # event whichever host name the calendar used to fetch it.
    "CALENDAR_UID_DOMAIN": "min-plan.no",
    # Every event's ORGANIZER (RFC 5546 wants one with METHOD:PUBLISH): the service, not a person.
    "CALENDAR_ORGANIZER": "mailto:ikke-svar@min-plan.no",
}


def host_only_cookie_name(config: dict) -> None:
    """Over HTTPS the session cookie is named __Host-…: browsers then accept it only with
    Secure, Path=/ and no Domain, so no sibling subdomain can set or overwrite it (ASVS 3.4.4)."""
    name = config["SESSION_COOKIE_NAME"]
    if config.get("SESSION_COOKIE_SECURE") and not name.startswith("__Host-"):
        config["SESSION_COOKIE_NAME"] = "__Host-" + name


def check_production_safety(config: dict) -> None:
    """Stop start-up loudly when production would run with unsafe settings."""
    if config.get("ENV_NAME") not in ENVIRONMENTS:
        raise ConfigError(f"MIN_PLAN_ENV must be one of {', '.join(ENVIRONMENTS)}, not {config.get('ENV_NAME')!r}")
    if config.get("ENV_NAME") != "production":
        return
    problems = _secret_problems(config)
    if config.get("DEBUG"):
        problems.append("DEBUG must be off")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must be on (HTTPS only)")
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite") and not config.get(
        "ALLOW_SQLITE_IN_PRODUCTION"
    ):
        problems.append("use PostgreSQL (DATABASE_URL) or set ALLOW_SQLITE_IN_PRODUCTION=1")
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory") and config.get("RATELIMIT_ENABLED", True):
        # In memory each worker counts alone and forgets at restart: limits twice as loose
        # with two workers, and none after a deploy.
        problems.append("RATELIMIT_STORAGE_URI must be a shared store (redis://…)")
    if config.get("VAPID_PRIVATE_KEY") and not str(config.get("VAPID_SUBJECT", "")).startswith(("mailto:", "https://")):
        problems.append("VAPID_SUBJECT must be a mailto: or https: address where push services can reach you")
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems))


def _secret_problems(config: dict) -> list[str]:
    problems = []
    seen = set()
    # With private_key_jwt there is no shared secret; auth.client_key refuses a missing or public key.
    uses_secret = config.get("OIDC_CLIENT_AUTH_METHOD", "client_secret_basic") == "client_secret_basic"
    for key in (k for k in SECRET_KEYS if uses_secret or k != "OIDC_CLIENT_SECRET"):
        value = config.get(key) or ""
        if len(value) < MIN_SECRET_LENGTH or value.lower() in KNOWN_WEAK_SECRETS:
            problems.append(f"{key} must be set to a random value of at least {MIN_SECRET_LENGTH} characters")
        elif len(set(value)) < MIN_DISTINCT_SECRET_CHARACTERS:
            problems.append(f"{key} repeats a few characters; it must be a random value")
        elif value in seen:
            problems.append(f"{key} is the same as another secret; each must be its own random value")
        seen.add(value)
    return problems
