"""Discovery document and JWKS."""

from urllib.parse import urlsplit

import pytest
import requests

PRIVATE_RSA_MEMBERS = {"d", "p", "q", "dp", "dq", "qi"}


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_discovery_describes_an_idporten_like_provider(issuer):
    config = requests.get(f"{issuer}/.well-known/openid-configuration").json()
    login_origin = origin_of(config["authorization_endpoint"])

    assert config["issuer"] == issuer
    # The person's browser goes to another origin than the issuer, as with
    # login.test.idporten.no beside test.idporten.no.
    assert login_origin != issuer
    assert config["authorization_endpoint"] == f"{login_origin}/authorize"
    assert config["end_session_endpoint"] == f"{login_origin}/logout"
    assert config["token_endpoint"] == f"{issuer}/token"
    assert config["jwks_uri"] == f"{issuer}/jwks.json"
    assert config["response_types_supported"] == ["code"]
    assert config["response_modes_supported"] == ["query"]
    assert config["grant_types_supported"] == ["authorization_code"]
    assert config["subject_types_supported"] == ["pairwise"]
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic", "client_secret_post", "private_key_jwt", "none",
    ]
    assert config["acr_values_supported"] == [
        "idporten-loa-low", "idporten-loa-substantial", "idporten-loa-high",
        "eidas-loa-low", "eidas-loa-substantial", "eidas-loa-high",
    ]
    assert config["ui_locales_supported"] == ["nb", "nn", "en", "se"]
    assert config["scopes_supported"] == ["openid", "profile"]
    assert {"pid", "acr", "amr", "sid", "locale"} <= set(config["claims_supported"])
    assert config["authorization_response_iss_parameter_supported"] is True
    assert config["frontchannel_logout_supported"] is True
    assert config["frontchannel_logout_session_supported"] is True


def test_each_origin_answers_only_for_its_own_endpoints(issuer):
    config = requests.get(f"{issuer}/.well-known/openid-configuration").json()
    login_origin = origin_of(config["authorization_endpoint"])

    for path in ("/authorize", "/logout"):
        assert requests.get(issuer + path, allow_redirects=False).status_code == 404
    for path in ("/.well-known/openid-configuration", "/jwks.json"):
        assert requests.get(login_origin + path).status_code == 404
    assert requests.post(login_origin + "/token", data={"grant_type": "authorization_code"}).status_code == 404


def test_behind_a_proxy_that_ends_tls_each_origin_is_known_by_its_host():
    from idporten_standin import create_app

    app = create_app({"ISSUER": "https://idporten.example", "LOGIN_URL": "https://login.idporten.example",
                      "CLIENTS": [], "PERSONS": []})
    client = app.test_client()

    assert client.get("/.well-known/openid-configuration", base_url="http://idporten.example").status_code == 200
    assert client.get("/.well-known/openid-configuration", base_url="http://login.idporten.example").status_code == 404
    assert client.get("/logout", base_url="http://login.idporten.example").status_code == 200
    assert client.get("/logout", base_url="http://idporten.example").status_code == 404


def test_jwks_publishes_only_the_public_key(issuer):
    keys = requests.get(f"{issuer}/jwks.json").json()["keys"]

    assert len(keys) == 1
    key = keys[0]
    assert set(key) == {"kty", "n", "e", "kid", "alg", "use"}
    assert not PRIVATE_RSA_MEMBERS & set(key)
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert key["kid"]


def test_each_start_makes_a_new_signing_key(start_provider):
    first = requests.get(f"{start_provider()}/jwks.json").json()["keys"][0]
    second = requests.get(f"{start_provider()}/jwks.json").json()["keys"][0]

    assert first["n"] != second["n"]
    assert first["kid"] != second["kid"]


def test_a_misconfigured_client_stops_the_start():
    from idporten_standin import create_app

    for client in (
        {"client_id": "x", "client_secret": "s"},  # no redirect_uris
        {"client_id": "x", "redirect_uris": ["https://x.example/cb"]},  # no way to authenticate
        {"client_id": "x", "client_secret": "s", "redirect_uris": ["https://x.example/cb"],
         "token_endpoint_auth_method": "none"},  # public, yet with a secret
        {"client_id": "x", "client_secret": "s", "redirect_uris": ["https://x.example/cb"],
         "token_endpoint_auth_method": "client_secret_jwt"},  # a method the stand-in does not offer
        {"client_id": "x", "client_secret": "s", "redirect_uris": ["https://x.example/cb"], "redirect_uri": "typo"},
    ):
        with pytest.raises(ValueError):
            create_app({"CLIENTS": [client]})
