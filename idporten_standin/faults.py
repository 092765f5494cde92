"""TEST-ONLY fault injection.

The patient app must refuse a misbehaving identity provider. These switches make
the stand-in misbehave in exactly one way each, so the app's refusal tests can
prove it. They are set only through ``create_app({"FAULTS": {...}})``, never from
the environment, and are all off by default.
"""

from __future__ import annotations

import time

FAULTS = {
    "wrong_issuer": "the id_token's iss is another URL",
    "wrong_audience": "the id_token's aud is another client",
    "expired": "the id_token's exp is in the past",
    "wrong_nonce": "the id_token's nonce is not the one the client sent",
    "low_acr": "the id_token's acr is idporten-loa-low",
    "alg_none": "the id_token is unsigned (header alg none)",
    "other_key": "the id_token is signed by a key outside the JWKS that carries the same kid",
    "wrong_iss_param": "the iss parameter on the redirect back to the client is another URL",
    "no_iss_param": "the redirect back to the client has no iss parameter (the discovery document promises one)",
    # A minute and a half: inside Authlib's own two minutes of leeway, outside the client's 30 s.
    "future_iat": "the id_token's iat is 90 s in the future",
    "future_nbf": "the id_token's nbf is 90 s in the future",
    "no_sub": "the id_token has no sub",
    "azp_mismatch": "the id_token names two audiences, and another client as the authorized party",
}

FUTURE_SECONDS = 90
OTHER_CLIENT = "en-helt-annen-klient"

WRONG_ISSUER = "https://feil-utsteder.example"


def enabled_faults(requested: dict | None) -> frozenset[str]:
    requested = requested or {}
    unknown = set(requested) - set(FAULTS)
    if unknown:  # a typo would otherwise give a test that passes for the wrong reason
        raise ValueError(f"unknown faults: {sorted(unknown)}")
    return frozenset(name for name, on in requested.items() if on)


def id_token_claim_overrides(faults: frozenset[str]) -> dict:
    """Claims that replace the honest ones in the id_token."""
    overrides = {}
    if "wrong_issuer" in faults:
        overrides["iss"] = WRONG_ISSUER
    if "wrong_audience" in faults:
        overrides["aud"] = OTHER_CLIENT
    if "expired" in faults:
        overrides["exp"] = int(time.time()) - 60
    if "wrong_nonce" in faults:
        overrides["nonce"] = "ikke-den-noncen-klienten-sendte"
    if "low_acr" in faults:
        overrides["acr"] = "idporten-loa-low"
    if "future_iat" in faults:
        overrides["iat"] = int(time.time()) + FUTURE_SECONDS
    if "future_nbf" in faults:
        overrides["nbf"] = int(time.time()) + FUTURE_SECONDS
    if "azp_mismatch" in faults:
        overrides["azp"] = OTHER_CLIENT
    return overrides


def id_token_claims_left_out(faults: frozenset[str]) -> set[str]:
    return {"sub"} if "no_sub" in faults else set()


def audiences(faults: frozenset[str], client_id: str) -> str | list[str]:
    """ID-porten sends aud as a plain string; the azp_mismatch fault sends two."""
    return [client_id, OTHER_CLIENT] if "azp_mismatch" in faults else client_id


def id_token_signing(faults: frozenset[str], signing_key, decoy_key) -> tuple[object, str]:
    """The (key, alg) to sign the id_token with."""
    if "alg_none" in faults:
        return None, "none"
    if "other_key" in faults:
        return decoy_key.private, "RS256"
    return signing_key.private, "RS256"


def iss_parameter(faults: frozenset[str], issuer: str) -> str | None:
    if "no_iss_param" in faults:
        return None
    return WRONG_ISSUER if "wrong_iss_param" in faults else issuer
