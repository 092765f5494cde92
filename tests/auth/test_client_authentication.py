"""The app proves it is the client with a secret or, chosen by configuration, with private_key_jwt."""

from __future__ import annotations

import json

import pytest
from authlib.jose import JsonWebKey

from patient_app import create_app
from tests.auth.conftest import HttpUser
from tests.conftest import TEST_CONFIG, live_system


def new_key(kid: str = "min-plan-1") -> dict:
    return JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": kid}).as_dict(is_private=True)


def test_login_with_private_key_jwt(database_url, seeded_app):
    with live_system(database_url, client_key=new_key()) as (app_url, _issuer, _app):
        landed = HttpUser(app_url).login_as("patient")

    assert landed.status_code == 200
    assert landed.url.startswith(app_url + "/plan")


def test_a_key_the_provider_has_not_registered_is_refused(database_url, seeded_app):
    registered, other = new_key(), new_key()  # same kid, different key
    with live_system(database_url, client_key=registered) as (app_url, _issuer, app):
        app.extensions["authlib.integrations.flask_client"].idporten.client_secret = other
        landed = HttpUser(app_url).login_as("patient")

    assert landed.status_code == 400
    assert HttpUser(app_url).page(landed).select_one("main h1").get_text(strip=True) == "Innloggingen gikk ikke"


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"OIDC_CLIENT_AUTH_METHOD": "private_key_jwt"}, id="no-key"),
        pytest.param({"OIDC_CLIENT_AUTH_METHOD": "private_key_jwt", "OIDC_CLIENT_KEY": "not json"}, id="not-json"),
        pytest.param({"OIDC_CLIENT_AUTH_METHOD": "private_key_jwt",
                      "OIDC_CLIENT_KEY": json.dumps(JsonWebKey.import_key(new_key()).as_dict(is_private=False))},
                     id="public-half-only"),
        pytest.param({"OIDC_CLIENT_AUTH_METHOD": "client_secret_jwt"}, id="unknown-method"),
    ],
)
def test_a_wrong_client_authentication_setting_stops_the_start(tmp_path, settings):
    with pytest.raises(ValueError):
        create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/empty.sqlite", **settings})
