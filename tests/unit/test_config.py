import secrets

import pytest

from patient_app import create_app
from patient_app.config import ConfigError

# Random-looking and different from each other, as production requires.
SECRETS = {name: secrets.token_urlsafe(32) for name in ("SECRET_KEY", "PID_HASH_KEY", "OIDC_CLIENT_SECRET")}


def production(**overrides):
    config = {
        "ENV_NAME": "production",
        **SECRETS,
        "SESSION_COOKIE_SECURE": True,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://localhost/none",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    }
    config.update(overrides)
    return config


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"PID_HASH_KEY": ""}, "PID_HASH_KEY"),
        ({"DEBUG": True}, "DEBUG"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}, "PostgreSQL"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
    ],
)
def test_production_refuses_to_start_with_unsafe_settings(overrides, complaint):
    with pytest.raises(ConfigError, match=complaint):
        create_app(production(**overrides))


def test_production_starts_with_real_secrets():
    app = create_app(production())
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_generates_its_own_secrets(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.sqlite"})
    assert len(app.config["SECRET_KEY"]) >= 32


def test_over_https_the_session_cookie_is_host_only(tmp_path):
    """ASVS 3.4.4: __Host- makes browsers refuse the cookie unless Secure, Path=/ and without Domain."""
    from flask import session

    from patient_app import create_app
    from tests.conftest import TEST_CONFIG

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/empty.sqlite",
                      "SESSION_COOKIE_SECURE": True})
    with app.test_request_context("/", base_url="https://min-plan.example"):
        session["locale"] = "nb"
        response = app.response_class()
        app.session_interface.save_session(app, session, response)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-min_plan_session=")
    attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert "secure" in attributes and "path=/" in attributes
    assert not [part for part in attributes if part.startswith("domain=")]


def test_over_plain_http_in_development_the_cookie_keeps_its_plain_name(app):
    assert app.config["SESSION_COOKIE_NAME"] == "min_plan_session"


@pytest.mark.parametrize("name", ["Production", "prod", "production ", "PRODUCTION", "staging", ""])
def test_an_unknown_environment_name_is_refused(name, monkeypatch, tmp_path):
    """Only exactly "production" ran the production checks: "Production" started with empty secrets."""
    monkeypatch.setenv("MIN_PLAN_ENV", name)
    for key in ("SECRET_KEY", "PID_HASH_KEY", "OIDC_CLIENT_SECRET"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(ConfigError, match="MIN_PLAN_ENV"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"SECRET_KEY": "x" * 40}, "SECRET_KEY"),
        ({"PID_HASH_KEY": "ab" * 20}, "PID_HASH_KEY"),
        ({"OIDC_CLIENT_SECRET": "0123456789" * 4}, None),  # ten different characters: allowed
        ({"PID_HASH_KEY": SECRETS["SECRET_KEY"]}, "PID_HASH_KEY"),
        ({"OIDC_CLIENT_SECRET": SECRETS["PID_HASH_KEY"]}, "OIDC_CLIENT_SECRET"),
    ],
)
def test_secrets_must_look_random_and_differ_from_each_other(overrides, complaint):
    if complaint is None:
        create_app(production(**overrides))
        return
    with pytest.raises(ConfigError, match=complaint):
        create_app(production(**overrides))


def test_production_with_private_key_jwt_needs_the_key_not_a_secret():
    import json

    from authlib.jose import JsonWebKey

    key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "min-plan-1"}).as_dict(is_private=True)
    with pytest.raises(ConfigError, match="OIDC_CLIENT_SECRET"):
        create_app(production(OIDC_CLIENT_SECRET=""))
    app = create_app(production(OIDC_CLIENT_SECRET="", OIDC_CLIENT_AUTH_METHOD="private_key_jwt",
                                OIDC_CLIENT_KEY=json.dumps(key)))
    assert app.config["OIDC_CLIENT_AUTH_METHOD"] == "private_key_jwt"


def test_the_log_privacy_scan_catches_an_identity_number_and_a_health_text():
    """tests/conftest.py fails the whole run on a leak; shown here on two made-up records."""
    from patient_app.demo.people import demo_person
    from tests.conftest import privacy_leaks

    pid = demo_person("patient").pid
    texts = ["auth: login refused", f"auth: login refused for {pid}", "messaging: body Jeg sover dårlig flere netter"]
    assert [secret for secret, _text in privacy_leaks(texts)] == [pid, "Jeg sover dårlig flere netter"]
