"""The Content-Security-Policy names the provider's login and logout pages, found through discovery."""

from __future__ import annotations


import requests

from patient_app.provider_origins import origin_of, safe_origins


def directive(policy: str, name: str) -> str:
    return next(part.strip() for part in policy.split(";") if part.strip().startswith(name + " "))


def test_form_action_names_the_login_pages_origin_not_the_issuer(live):
    app_url, issuer, _app = live
    metadata = requests.get(issuer + "/.well-known/openid-configuration").json()
    login_pages = origin_of(metadata["authorization_endpoint"])

    policy = requests.get(app_url + "/login").headers["Content-Security-Policy"]

    assert login_pages != issuer
    assert directive(policy, "form-action") == f"form-action 'self' {login_pages}"


def test_pages_are_served_with_forms_kept_to_this_site_while_discovery_cannot_be_read(client):
    """No provider answers on TEST_CONFIG's issuer: the page still comes, and the policy
    does not fall back to anything wider than our own site."""
    response = client.get("/login")

    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert directive(policy, "form-action") == "form-action 'self'"
    assert directive(policy, "frame-ancestors") == "frame-ancestors 'none'"
    assert "*" not in policy


def test_only_plain_origins_from_the_discovery_document_enter_the_policy():
    metadata = {
        "authorization_endpoint": "https://login.test.idporten.no/authorize",
        "end_session_endpoint": "https://login.test.idporten.no/logout",
        "token_endpoint": "https://test.idporten.no/token",
    }
    assert safe_origins(metadata, "authorization_endpoint", "end_session_endpoint") == (
        "https://login.test.idporten.no",
    )

    for hostile in ("https://login.example; script-src *", "https://*.example/authorize", "javascript:alert(1)",
                    "https://[::1/authorize", "https://user@login.example/authorize"):
        assert safe_origins({"authorization_endpoint": hostile}, "authorization_endpoint") == (), hostile
    assert safe_origins({"authorization_endpoint": 42}, "authorization_endpoint") == ()
