"""Back-channel logout tokens (OpenID Connect Back-Channel Logout 1.0), checked before they end anything.

The provider posts a signed JWT naming the session that ended at its side.
Anyone can post to the endpoint, so everything in the token is checked: the
signature against the provider's JWKS, who issued it and for whom, its times,
that it is a logout event and not an id_token, and that it is never used twice.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import time

from authlib.jose import JsonWebKey, JsonWebToken
from authlib.jose.errors import JoseError
from flask import current_app
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from patient_app.auth import CLOCK_SKEW_SECONDS, identity_provider
from patient_app.extensions import db
from patient_app.models import SeenLogoutToken

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# A token older than this is refused whatever its exp says, so a jti need be kept no longer.
MAX_AGE_SECONDS = 300
JWKS_REFRESH_SECONDS = 60


class LogoutTokenRefused(Exception):
    """The token does not prove that the provider ended this session."""


def verified_logout_claims(token: str) -> dict:
    """The claims of a logout token that passed every check; LogoutTokenRefused otherwise."""
    if token.count(".") != 2:  # not a signed JWT: no need to ask the provider for its keys
        raise LogoutTokenRefused("not a JWT")
    claims = signed_claims(token)
    check_issuer_and_audience(claims)
    check_times(claims)
    check_logout_event(claims)
    remember_first_use(claims["jti"], claims["iat"])
    return claims


def signed_claims(token: str) -> dict:
    try:
        return dict(JsonWebToken(["RS256"]).decode(token, provider_keys(token)))
    except JoseError as error:
        raise LogoutTokenRefused(f"bad token: {error.error}") from error
    except ValueError as error:  # no key with that kid, or not a JWT at all
        raise LogoutTokenRefused("unknown key or malformed token") from error


def provider_keys(token: str):
    """The provider's JWKS, fetched again for a kid we have not seen (the provider rotated its key),
    but at most once a minute, so forged tokens cannot make us fetch it for every request."""
    provider = identity_provider()
    keys = provider.fetch_jwk_set()
    last_refresh = current_app.extensions.setdefault("logout_tokens.jwks_refreshed_at", [0.0])
    if header_kid(token) not in {key.get("kid") for key in keys.get("keys", [])}:
        if time.monotonic() - last_refresh[0] > JWKS_REFRESH_SECONDS:
            last_refresh[0] = time.monotonic()
            keys = provider.fetch_jwk_set(force=True)
    return JsonWebKey.import_key_set(keys)


def header_kid(token: str) -> str | None:
    try:
        header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    except (ValueError, UnicodeDecodeError):
        return None
    return header.get("kid") if isinstance(header, dict) else None


def check_issuer_and_audience(claims: dict) -> None:
    if claims.get("iss") != identity_provider().load_server_metadata()["issuer"]:
        raise LogoutTokenRefused("issuer mismatch")
    client_id = current_app.config["OIDC_CLIENT_ID"]
    if claims.get("aud") not in (client_id, [client_id]):
        raise LogoutTokenRefused("audience mismatch")


def check_times(claims: dict) -> None:
    now = time.time()
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, (int, float)) or not isinstance(exp, (int, float)):
        raise LogoutTokenRefused("iat or exp missing")
    if iat > now + CLOCK_SKEW_SECONDS:
        raise LogoutTokenRefused("issued in the future")
    if iat < now - MAX_AGE_SECONDS:
        raise LogoutTokenRefused("too old")
    if exp < now - CLOCK_SKEW_SECONDS:
        raise LogoutTokenRefused("expired")


def check_logout_event(claims: dict) -> None:
    """A logout event naming a session, and nothing an id_token would carry instead."""
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_LOGOUT_EVENT), dict):
        raise LogoutTokenRefused("not a back-channel logout event")
    if "nonce" in claims:
        raise LogoutTokenRefused("a nonce: this is an id_token")
    # We register with backchannel_logout_session_required: sessions are found by sid,
    # as we keep no pairwise sub to look a person up by.
    if not isinstance(claims.get("sid"), str) or not claims["sid"]:
        raise LogoutTokenRefused("no sid")
    if "sub" in claims and not isinstance(claims["sub"], str):
        raise LogoutTokenRefused("malformed sub")
    if not isinstance(claims.get("jti"), str) or not claims["jti"]:
        raise LogoutTokenRefused("no jti")


def remember_first_use(jti: str, issued_at: float) -> None:
    """Store the jti (hashed) until the token could no longer pass; a second use is refused.

    The database's primary key decides, so two workers receiving the same token
    cannot both accept it.
    """
    now = dt.datetime.now(dt.timezone.utc)
    db.session.execute(delete(SeenLogoutToken).where(SeenLogoutToken.expires_at < now))
    keep_until = dt.datetime.fromtimestamp(issued_at + MAX_AGE_SECONDS + CLOCK_SKEW_SECONDS, dt.timezone.utc)
    db.session.add(SeenLogoutToken(jti_hash=hashlib.sha256(jti.encode()).hexdigest(), expires_at=keep_until))
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise LogoutTokenRefused("jti seen before") from error
