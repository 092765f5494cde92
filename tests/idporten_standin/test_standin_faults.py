"""Each test-only fault makes the provider misbehave in exactly the one promised way."""

import base64
import json
import time

import pytest
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.jose.errors import BadSignatureError

from idporten_standin import create_app
from idporten_standin.faults import FAULTS, OTHER_CLIENT

ACR = "idporten-loa-high"


def json_segment(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def misbehaviours(rp, callback, id_token) -> set[str]:
    """Every way this login differs from what an honest ID-porten would send."""
    found = set()
    if "iss" not in callback.params:
        found.add("no_iss_param")
    elif callback.params["iss"] != rp.issuer:
        found.add("wrong_iss_param")

    header_segment, payload_segment, signature = id_token.split(".")
    header, claims = json_segment(header_segment), json_segment(payload_segment)
    jwks = rp.jwks()

    if header["alg"] == "none" or not signature:
        found.add("alg_none")
    else:
        assert header["kid"] == jwks["keys"][0]["kid"]
        try:
            JsonWebToken(["RS256"]).decode(id_token, JsonWebKey.import_key_set(jwks))
        except BadSignatureError:
            found.add("other_key")

    if claims["iss"] != rp.issuer:
        found.add("wrong_issuer")
    if claims["aud"] == [rp.client_id, OTHER_CLIENT] and claims.get("azp") == OTHER_CLIENT:
        found.add("azp_mismatch")
    elif claims["aud"] != rp.client_id or "azp" in claims:
        found.add("wrong_audience")
    if claims["exp"] <= time.time():
        found.add("expired")
    if claims["iat"] > time.time() + 60:
        found.add("future_iat")
    if claims.get("nbf", 0) > time.time() + 60:
        found.add("future_nbf")
    if "sub" not in claims:
        found.add("no_sub")
    if claims["nonce"] != callback.request.nonce:
        found.add("wrong_nonce")
    if claims["acr"] != ACR:
        found.add("low_acr")
    return found


def log_in(rp, pid):
    callback = rp.login(pid, acr_values=ACR)
    return callback, rp.tokens_for(callback)["id_token"]


def test_without_faults_nothing_is_wrong(issuer, relying_party, kari):
    rp = relying_party(issuer)

    assert misbehaviours(rp, *log_in(rp, kari)) == set()


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_breaks_exactly_one_thing(start_provider, relying_party, kari, fault):
    rp = relying_party(start_provider(FAULTS={fault: True}))

    assert misbehaviours(rp, *log_in(rp, kari)) == {fault}


def test_fault_values_are_the_promised_ones(start_provider, relying_party, kari):
    rp = relying_party(start_provider(FAULTS={"low_acr": True, "alg_none": True}))
    _, id_token = log_in(rp, kari)

    claims = JsonWebToken(["none"]).decode(id_token, None)

    assert claims.header["alg"] == "none"
    assert claims["acr"] == "idporten-loa-low"


def test_a_false_fault_is_off(start_provider, relying_party, kari):
    rp = relying_party(start_provider(FAULTS={"expired": False}))

    assert misbehaviours(rp, *log_in(rp, kari)) == set()


def test_an_unknown_fault_is_an_error():
    with pytest.raises(ValueError, match="unknown faults"):
        create_app({"FAULTS": {"wrong_isuer": True}})
