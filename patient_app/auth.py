"""Login through ID-porten (or the stand-in) with OpenID Connect, and who is logged in.

The app speaks to the provider only through its discovery document, so moving
to the real ID-porten is configuration: OIDC_ISSUER, OIDC_CLIENT_ID, and either
OIDC_CLIENT_SECRET or (OIDC_CLIENT_AUTH_METHOD=private_key_jwt) OIDC_CLIENT_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone

from authlib.integrations.flask_client import OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from cryptography.fernet import Fernet, InvalidToken
from flask import Flask, current_app, session
from sqlalchemy import select

from patient_app.extensions import db, login_manager
from patient_app.models import Person, hash_pid

ACCEPTED_ACR = ("idporten-loa-substantial", "idporten-loa-high")
# Authlib allows two minutes of clock skew, as long as ID-porten's whole token
# lifetime; we allow thirty seconds.
CLOCK_SKEW_SECONDS = 30


class LoginRefused(Exception):
    """The provider's answer did not prove who the person is."""


def init_auth(app: Flask) -> None:
    oauth = OAuth(app)
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    client_secret, auth_method = client_authentication(app.config, issuer)
    oauth.register(
        "idporten",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=client_secret,
        server_metadata_url=issuer + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid profile",
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": auth_method,
            "timeout": 10,
        },
    )
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = "strong"
    from patient_app import login_sessions

    app.after_request(login_sessions.record_activity)


def client_authentication(config, issuer: str):
    """How we prove to the token endpoint that we are the client: (secret or key, method).

    private_key_jwt (ID-porten's recommendation) signs a short assertion with our
    private key instead of sending a shared secret; Authlib takes the key where the
    secret would be.
    """
    method = config.get("OIDC_CLIENT_AUTH_METHOD") or "client_secret_basic"
    if method == "client_secret_basic":
        return config["OIDC_CLIENT_SECRET"], method
    if method != "private_key_jwt":
        raise ValueError(f"OIDC_CLIENT_AUTH_METHOD must be client_secret_basic or private_key_jwt, not {method!r}")
    key = client_key(config.get("OIDC_CLIENT_KEY") or "")
    # ID-porten wants its issuer as the assertion's audience, and the kid to find the registered key.
    return key, PrivateKeyJWT(issuer, headers={"kid": key["kid"]}, alg="RS256")


def client_key(jwk_json: str) -> dict:
    """The private RSA key (a JWK with a kid) whose public half is registered with the provider."""
    try:
        key = json.loads(jwk_json)
    except ValueError as error:
        raise ValueError("OIDC_CLIENT_KEY must be a private JWK in JSON") from error
    if not isinstance(key, dict) or key.get("kty") != "RSA" or "d" not in key or not key.get("kid"):
        raise ValueError("OIDC_CLIENT_KEY must be a private RSA JWK with a kid")
    return key


def identity_provider():
    return current_app.extensions["authlib.integrations.flask_client"].idporten


@login_manager.user_loader
def load_person(public_id: str) -> Person | None:
    """The person, while the cookie is within the absolute lifetime and its server-side
    session (patient_app/login_sessions.py) is live: one query."""
    from patient_app import login_sessions

    if session_is_too_old():
        session.clear()
        return None
    return login_sessions.person_for_request(public_id)


@login_manager.unauthorized_handler
def send_to_login():
    """Plain requests are redirected; an htmx request (a poll after the session ended)
    gets HX-Redirect so the whole page goes to the login, not just a fragment."""
    from flask import redirect, request, url_for

    login_url = url_for("auth.login")
    if request.headers.get("HX-Request"):
        return "", 401, {"HX-Redirect": login_url}
    return redirect(login_url)


def session_is_too_old() -> bool:
    signed_in_at = session.get("signed_in_at")
    if signed_in_at is None:
        return False
    limit = current_app.config["ABSOLUTE_SESSION_LIFETIME"].total_seconds()
    return datetime.now(timezone.utc).timestamp() - signed_in_at > limit


def verified_claims(token: dict, returned_iss: str | None) -> dict:
    """Check what Authlib does not, or not as strictly: the issuer (also RFC 9207's iss
    parameter), one audience (us), the times with our own 30 s of skew, a subject, the level."""
    metadata = identity_provider().load_server_metadata()
    expected_issuer = metadata["issuer"]
    if returned_iss is None and metadata.get("authorization_response_iss_parameter_supported"):
        # RFC 9207 §2.4: a provider that promises the parameter must send it; without it a
        # mix-up attack (a response from another provider) could not be told apart.
        raise LoginRefused("issuer parameter missing")
    if returned_iss is not None and returned_iss != expected_issuer:
        raise LoginRefused("issuer parameter mismatch")
    claims = token.get("userinfo") or {}
    if claims.get("iss") != expected_issuer:
        raise LoginRefused("issuer mismatch")
    client_id = current_app.config["OIDC_CLIENT_ID"]
    if claims.get("aud") not in (client_id, [client_id]):
        raise LoginRefused("audience mismatch")  # ID-porten names one audience; several are refused
    if claims.get("azp", client_id) != client_id:
        raise LoginRefused("authorized party mismatch")
    now = datetime.now(timezone.utc).timestamp()
    if claims.get("exp", 0) < now - CLOCK_SKEW_SECONDS:
        raise LoginRefused("token expired")
    # Authlib allows two minutes; a token from the future is refused beyond our skew.
    if not isinstance(claims.get("iat"), (int, float)) or claims["iat"] > now + CLOCK_SKEW_SECONDS:
        raise LoginRefused("token issued in the future")
    if claims.get("nbf", 0) > now + CLOCK_SKEW_SECONDS:
        raise LoginRefused("token not valid yet")
    if not claims.get("sub"):
        raise LoginRefused("no subject")
    if claims.get("acr") not in ACCEPTED_ACR:
        raise LoginRefused("assurance level too low")
    if not claims.get("pid"):
        raise LoginRefused("no identity number")
    return claims


def person_for_pid(pid: str) -> Person | None:
    digest = hash_pid(pid, current_app.config["PID_HASH_KEY"])
    return db.session.scalar(select(Person).where(Person.pid_hash == digest))


def _fernet() -> Fernet:
    key = hashlib.sha256(("id-token-hint:" + current_app.config["SECRET_KEY"]).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str) -> str:
    """Encrypt for the session cookie: the id_token carries the identity number."""
    return _fernet().encrypt(text.encode()).decode()


def unseal(sealed: str | None) -> str | None:
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
