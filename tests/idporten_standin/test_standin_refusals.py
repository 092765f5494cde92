"""Requests ID-porten refuses, at /authorize and at /token."""

import pytest


def assert_refused_at_authorize(rp, response, auth_request, error="invalid_request"):
    """The client gets an error on its own redirect_uri, with state and iss, and no code."""
    callback = rp.callback_from(response, auth_request)
    assert callback.params["error"] == error
    assert "code" not in callback.params
    assert callback.params["iss"] == rp.issuer
    if auth_request.state:
        assert callback.params["state"] == auth_request.state


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"code_challenge": None, "code_challenge_method": None}, id="no-pkce"),
        pytest.param({"code_challenge": None}, id="missing-code-challenge"),
        pytest.param({"code_challenge_method": "plain"}, id="plain-method"),
        pytest.param({"code_challenge_method": None}, id="missing-method"),
        pytest.param({"state": None}, id="missing-state"),
        pytest.param({"nonce": None}, id="missing-nonce"),
        pytest.param({"acr_values": "Level4"}, id="unknown-acr"),  # ID-porten's old level names are gone
    ],
)
def test_authorize_refuses_requests_idporten_would_refuse(issuer, relying_party, changes):
    rp = relying_party(issuer)
    auth_request = rp.authorization_request(**changes)

    response = rp.open_login_page(auth_request)

    assert_refused_at_authorize(rp, response, auth_request)


def test_authorize_refuses_a_request_without_the_openid_scope(issuer, relying_party):
    rp = relying_party(issuer)
    auth_request = rp.authorization_request(scope="profile")

    assert_refused_at_authorize(rp, rp.open_login_page(auth_request), auth_request, error="invalid_scope")


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"redirect_uri": "https://angriper.example/callback"}, id="unknown-redirect-uri"),
        pytest.param({"client_id": "ukjent-klient"}, id="unknown-client"),
        pytest.param({"redirect_uri": None}, id="missing-redirect-uri"),
    ],
)
def test_authorize_never_redirects_to_an_unverified_uri(issuer, relying_party, changes):
    rp = relying_party(issuer)

    response = rp.open_login_page(rp.authorization_request(**changes))

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "Noe gikk galt" in response.text


def test_a_posted_login_is_validated_again(issuer, relying_party, kari):
    """Hidden fields are under the browser's control; the POST must not trust them."""
    rp = relying_party(issuer)
    page = rp.open_login_page(rp.authorization_request())

    response = rp.submit_form(page, "form:has(input#pid)", {"pid": kari, "redirect_uri": "https://angriper.example/callback"})

    assert response.status_code == 400
    assert "Location" not in response.headers


def test_login_without_the_csrf_token_is_refused(issuer, relying_party, kari):
    rp = relying_party(issuer)
    page = rp.open_login_page(rp.authorization_request())

    response = rp.submit_form(page, "form:has(input#pid)", {"pid": kari, "csrf_token": "forfalsket"})

    assert response.status_code == 400
    assert "Location" not in response.headers


def test_cancel_sends_access_denied_back_to_the_client(issuer, relying_party):
    rp = relying_party(issuer)
    auth_request = rp.authorization_request()
    page = rp.open_login_page(auth_request)

    response = rp.submit_form(page, "form:has(button[name=cancel])", {"cancel": "1"})

    assert_refused_at_authorize(rp, response, auth_request, error="access_denied")


def test_token_refuses_a_wrong_code_verifier(issuer, relying_party, kari):
    rp = relying_party(issuer)
    callback = rp.login(kari)

    response = rp.redeem(callback.code, rp.authorization_request().code_verifier)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_token_refuses_a_missing_code_verifier(issuer, relying_party, kari):
    rp = relying_party(issuer)
    callback = rp.login(kari)

    response = rp.redeem(callback.code, None)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_code_is_spent_by_a_failed_attempt(issuer, relying_party, kari):
    """Someone guessing verifiers gets one try per code."""
    rp = relying_party(issuer)
    callback = rp.login(kari)
    rp.redeem(callback.code, rp.authorization_request().code_verifier)

    response = rp.redeem(callback.code, callback.request.code_verifier)

    assert response.json()["error"] == "invalid_grant"


def test_token_refuses_a_replayed_code(issuer, relying_party, kari):
    rp = relying_party(issuer)
    callback = rp.login(kari)
    assert rp.redeem(callback.code, callback.request.code_verifier).status_code == 200

    replay = rp.redeem(callback.code, callback.request.code_verifier)

    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert "id_token" not in replay.json()


def test_token_refuses_a_wrong_client_secret(issuer, relying_party, kari):
    rp = relying_party(issuer)
    callback = rp.login(kari)

    response = rp.redeem(callback.code, callback.request.code_verifier, secret="feil-hemmelighet")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_token_refuses_a_code_issued_to_another_client(issuer, relying_party, kari):
    min_plan = relying_party(issuer, "min-plan")
    other = relying_party(issuer, "annen-tjeneste")
    callback = min_plan.login(kari)

    response = other.redeem(callback.code, callback.request.code_verifier)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_token_refuses_an_expired_code(issuer, relying_party, kari, monkeypatch):
    rp = relying_party(issuer)
    monkeypatch.setattr("idporten_standin.server.CODE_LIFETIME", 0)
    callback = rp.login(kari)

    response = rp.redeem(callback.code, callback.request.code_verifier)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
