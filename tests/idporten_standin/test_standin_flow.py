"""The successful authorization code flow and the id_token it yields."""

import time

import pytest
from authlib.jose import JsonWebKey
from authlib.jose.errors import JoseError

from idporten_standin.server import ACR_LEVELS


def test_full_login_gives_an_idporten_id_token(issuer, relying_party, kari):
    rp = relying_party(issuer)

    callback = rp.login(kari)
    assert set(callback.params) == {"code", "state", "iss"}
    assert callback.params["state"] == callback.request.state
    assert callback.params["iss"] == issuer

    tokens = rp.tokens_for(callback)
    assert tokens["token_type"] == "Bearer"
    assert len(tokens["access_token"]) >= 32
    assert tokens["expires_in"] == 120

    claims = rp.verify_id_token(tokens["id_token"])
    assert claims.header["alg"] == "RS256"
    assert claims.header["kid"] == rp.jwks()["keys"][0]["kid"]
    assert claims["iss"] == issuer
    assert claims["aud"] == "min-plan"  # a string, not a list
    assert claims["pid"] == kari
    assert claims["sub"] and claims["sub"] != kari and kari not in claims["sub"]
    assert claims["acr"] == "idporten-loa-substantial"
    assert claims["amr"] == ["TestID"]
    assert claims["locale"] == "nb"
    assert claims["sid"]
    assert claims["nonce"] == callback.request.nonce
    assert claims["exp"] - claims["iat"] == 120
    assert abs(claims["iat"] - time.time()) < 10
    assert claims["auth_time"] <= claims["iat"]
    assert "name" not in claims


def test_sub_is_pairwise_per_client_and_stable(issuer, relying_party, kari, ola):
    min_plan = relying_party(issuer, "min-plan")
    other = relying_party(issuer, "annen-tjeneste")

    def sub(rp, pid):
        return rp.verify_id_token(rp.tokens_for(rp.login(pid))["id_token"])["sub"]

    kari_in_min_plan = sub(min_plan, kari)
    assert sub(min_plan, kari) == kari_in_min_plan
    assert sub(other, kari) != kari_in_min_plan
    assert sub(min_plan, ola) != kari_in_min_plan


@pytest.mark.parametrize("level", ACR_LEVELS)
def test_acr_values_are_echoed(issuer, relying_party, kari, level):
    rp = relying_party(issuer)

    claims = rp.verify_id_token(rp.tokens_for(rp.login(kari, acr_values=level))["id_token"])

    assert claims["acr"] == level


@pytest.mark.parametrize(
    ("ui_locales", "locale"),
    [("en", "en"), ("de nn en", "nn"), ("se", "se"), ("de", "nb"), (None, "nb")],
)
def test_locale_follows_the_first_supported_ui_locale(issuer, relying_party, kari, ui_locales, locale):
    rp = relying_party(issuer)

    claims = rp.verify_id_token(rp.tokens_for(rp.login(kari, ui_locales=ui_locales))["id_token"])

    assert claims["locale"] == locale


def test_sid_is_stable_within_one_browser_session(issuer, relying_party, kari):
    rp = relying_party(issuer)
    other_browser = relying_party(issuer)

    first = rp.verify_id_token(rp.tokens_for(rp.login(kari))["id_token"])["sid"]
    second = rp.verify_id_token(rp.tokens_for(rp.login(kari))["id_token"])["sid"]
    elsewhere = other_browser.verify_id_token(other_browser.tokens_for(other_browser.login(kari))["id_token"])["sid"]

    assert first == second
    assert elsewhere != first


def test_a_configured_person_button_logs_in(issuer, relying_party, ola):
    rp = relying_party(issuer)
    auth_request = rp.authorization_request()
    page = rp.open_login_page(auth_request)

    response = rp.submit_form(page, "form:has(button[name=pid])", {"pid": ola})

    claims = rp.verify_id_token(rp.tokens_for(rp.callback_from(response, auth_request))["id_token"])
    assert claims["pid"] == ola


def test_private_key_jwt_authenticates_the_client(issuer, relying_party, kari):
    rp = relying_party(issuer, "jwt-klient")

    claims = rp.verify_id_token(rp.tokens_for(rp.login(kari), auth="private_key_jwt")["id_token"])

    assert claims["aud"] == "jwt-klient"
    assert claims["pid"] == kari


def test_client_secret_post_authenticates_the_client(issuer, relying_party, kari):
    rp = relying_party(issuer)

    claims = rp.verify_id_token(rp.tokens_for(rp.login(kari), auth="post")["id_token"])

    assert claims["aud"] == "min-plan"


def test_a_public_client_redeems_with_pkce_alone(issuer, relying_party, kari):
    rp = relying_party(issuer, "offentlig-klient")

    claims = rp.verify_id_token(rp.tokens_for(rp.login(kari), auth="none")["id_token"])

    assert claims["aud"] == "offentlig-klient"


def test_a_confidential_client_cannot_leave_out_its_secret(issuer, relying_party, kari):
    rp = relying_party(issuer)
    callback = rp.login(kari)

    response = rp.redeem(callback.code, callback.request.code_verifier, auth="none")

    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"


def test_private_key_jwt_also_accepts_the_token_endpoint_as_audience(issuer, relying_party, kari):
    rp = relying_party(issuer, "jwt-klient")

    tokens = rp.tokens_for(rp.login(kari), auth="private_key_jwt", assertion_audience=f"{issuer}/token")

    assert rp.verify_id_token(tokens["id_token"])["aud"] == "jwt-klient"


def test_private_key_jwt_signed_with_an_unregistered_key_is_refused(issuer, relying_party, kari):
    rp = relying_party(issuer, "jwt-klient")
    callback = rp.login(kari)
    rp.private_key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": rp.private_key.kid})

    response = rp.redeem(callback.code, callback.request.code_verifier, auth="private_key_jwt")

    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"
    assert "id_token" not in response.json()


def test_a_replayed_client_assertion_is_refused(issuer, relying_party, kari):
    rp = relying_party(issuer, "jwt-klient")
    assertion = rp.client_assertion()
    first, second = rp.login(kari), rp.login(kari)
    assert rp.redeem(first.code, first.request.code_verifier, auth="private_key_jwt", assertion=assertion).ok

    replay = rp.redeem(second.code, second.request.code_verifier, auth="private_key_jwt", assertion=assertion)

    assert replay.json()["error"] == "invalid_client"


def test_client_secret_basic_is_refused_for_a_key_only_client(issuer, relying_party, kari):
    rp = relying_party(issuer, "jwt-klient")
    callback = rp.login(kari)

    response = rp.redeem(callback.code, callback.request.code_verifier, auth="basic", secret="gjetning")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_an_id_token_does_not_verify_with_another_providers_key(start_provider, relying_party, kari):
    first = relying_party(start_provider())
    second = relying_party(start_provider())
    id_token = first.tokens_for(first.login(kari))["id_token"]

    with pytest.raises((JoseError, ValueError)):
        second.verify_id_token(id_token)
