"""Discovery document and JWKS."""

import pytest
import requests

PRIVATE_RSA_MEMBERS = {"d", "p", "q", "dp", "dq", "qi"}


def test_discovery_describes_an_idporten_like_provider(issuer):
    config = requests.get(f"{issuer}/.well-known/openid-configuration").json()

    assert config["issuer"] == issuer
    assert config["authorization_endpoint"] == f"{issuer}/authorize"
    assert config["token_endpoint"] == f"{issuer}/token"
    assert config["jwks_uri"] == f"{issuer}/jwks"
    assert config["end_session_endpoint"] == f"{issuer}/endsession"
    assert config["response_types_supported"] == ["code"]
    assert config["grant_types_supported"] == ["authorization_code"]
    assert config["subject_types_supported"] == ["pairwise"]
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "private_key_jwt"]
    assert config["acr_values_supported"] == ["idporten-loa-substantial", "idporten-loa-high"]
    assert config["ui_locales_supported"] == ["nb", "nn", "en", "se"]
    assert config["scopes_supported"] == ["openid", "profile"]
    assert {"pid", "acr", "amr", "sid", "locale"} <= set(config["claims_supported"])
    assert config["authorization_response_iss_parameter_supported"] is True


def test_jwks_publishes_only_the_public_key(issuer):
    keys = requests.get(f"{issuer}/jwks").json()["keys"]

    assert len(keys) == 1
    key = keys[0]
    assert set(key) == {"kty", "n", "e", "kid", "alg", "use"}
    assert not PRIVATE_RSA_MEMBERS & set(key)
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert key["kid"]


def test_each_start_makes_a_new_signing_key(start_provider):
    first = requests.get(f"{start_provider()}/jwks").json()["keys"][0]
    second = requests.get(f"{start_provider()}/jwks").json()["keys"][0]

    assert first["n"] != second["n"]
    assert first["kid"] != second["kid"]


def test_a_misconfigured_client_stops_the_start():
    from idporten_standin import create_app

    for client in (
        {"client_id": "x", "client_secret": "s"},  # no redirect_uris
        {"client_id": "x", "redirect_uris": ["https://x.example/cb"]},  # no way to authenticate
        {"client_id": "x", "client_secret": "s", "redirect_uris": ["https://x.example/cb"], "redirect_uri": "typo"},
    ):
        with pytest.raises(ValueError):
            create_app({"CLIENTS": [client]})
