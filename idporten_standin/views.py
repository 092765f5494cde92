"""HTTP endpoints: discovery, JWKS, the TestID login page, token and end session."""

from __future__ import annotations

import logging
import secrets
import time
from urllib.parse import urlsplit

from authlib.common.urls import add_params_to_uri
from authlib.jose import JoseError, JsonWebToken
from authlib.oauth2.rfc6749 import OAuth2Error
from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session

from patient_app.identity_numbers import is_synthetic

from .logout import tell_clients
from .server import ACR_LEVELS, CLIENT_ASSERTION_ALGS, SCOPES, TOKEN_ENDPOINT_AUTH_METHODS, UI_LOCALES, Provider, SignedInPerson

log = logging.getLogger(__name__)

bp = Blueprint("idporten", __name__)

# The login form carries these authorization request parameters from the GET to the POST.
AUTHORIZE_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "acr_values",
    "ui_locales",
    "prompt",
)

INVALID_PID_MESSAGE = (
    "Fødselsnummeret er ikke et gyldig syntetisk fødselsnummer. "
    "Skriv 11 siffer, der måneden har 80 lagt til (for eksempel 14838510036)."
)


# The person's browser sees only the login origin; the client's server only the issuer's.
# Like ID-porten, each origin answers only for its own endpoints.
BROWSER_ENDPOINTS = {"idporten.show_login_page", "idporten.handle_login", "idporten.end_session"}


def provider() -> Provider:
    return current_app.extensions["idporten_standin"]


@bp.before_request
def only_on_own_origin():
    settings = provider().settings
    expected = settings.login_url if request.endpoint in BROWSER_ENDPOINTS else settings.issuer
    # Host and port only: behind a proxy that ends TLS the request arrives as plain http.
    if request.host != urlsplit(expected).netloc:
        abort(404)


@bp.get("/.well-known/openid-configuration")
def discovery():
    settings = provider().settings
    issuer, login_url = settings.issuer, settings.login_url
    return jsonify(
        issuer=issuer,
        authorization_endpoint=f"{login_url}/authorize",
        token_endpoint=f"{issuer}/token",
        jwks_uri=f"{issuer}/jwks.json",
        end_session_endpoint=f"{login_url}/logout",
        response_types_supported=["code"],
        response_modes_supported=["query"],
        grant_types_supported=["authorization_code"],
        subject_types_supported=["pairwise"],
        id_token_signing_alg_values_supported=["RS256"],
        code_challenge_methods_supported=["S256"],
        token_endpoint_auth_methods_supported=list(TOKEN_ENDPOINT_AUTH_METHODS),
        token_endpoint_auth_signing_alg_values_supported=list(CLIENT_ASSERTION_ALGS),
        acr_values_supported=list(ACR_LEVELS),
        ui_locales_supported=list(UI_LOCALES),
        claims_supported=["iss", "aud", "sub", "pid", "acr", "amr", "locale", "sid", "nonce", "iat", "exp", "auth_time"],
        scopes_supported=list(SCOPES),
        authorization_response_iss_parameter_supported=True,
        frontchannel_logout_supported=True,
        frontchannel_logout_session_supported=True,
    )


@bp.get("/jwks.json")
def jwks():
    return jsonify(keys=[provider().signing_key.public_jwk()])


@bp.get("/authorize")
def show_login_page():
    try:
        provider().server.get_consent_grant()
    except OAuth2Error as error:
        return refuse_authorization(error)
    return render_login_page()


@bp.post("/authorize")
def handle_login():
    if not csrf_token_matches():
        return render_template("error.html", message="Skjemaet er utløpt. Gå tilbake til tjenesten og prøv igjen."), 400
    server = provider().server
    try:
        grant = server.get_consent_grant()
    except OAuth2Error as error:
        return refuse_authorization(error)

    if "cancel" in request.form:
        return server.create_authorization_response(grant=grant, grant_user=None)  # access_denied

    typed = request.form.get("pid", "")
    pid = typed.replace(" ", "")
    if not is_synthetic(pid):
        return render_login_page(error=INVALID_PID_MESSAGE, typed_pid=typed), 400

    person = SignedInPerson(pid=pid, sid=browser_session_id(), auth_time=int(time.time()))
    return server.create_authorization_response(grant=grant, grant_user=person)


@bp.post("/token")
def token():
    return provider().server.create_token_response()


@bp.get("/logout")
def end_session():
    sid = session.get("sid")
    participants = provider().storage.end_session(sid)
    session.clear()
    frames = tell_clients(provider(), sid, participants) if sid else []

    target = verified_post_logout_target()
    if frames:
        # The page frames each client's front-channel logout, then goes on to the target.
        return render_template("logging_out.html", frames=frames, target=target)
    if target:
        return redirect(target)
    return render_template("logged_out.html")


def verified_post_logout_target() -> str | None:
    """The post_logout_redirect_uri (with state) if the client named by id_token_hint registered it.

    Only ever follow a URI the client registered; anything else is an open redirect.
    """
    client = client_named_in(request.args.get("id_token_hint"))
    target = request.args.get("post_logout_redirect_uri")
    if not (client and target and target in client.post_logout_redirect_uris):
        return None
    state = request.args.get("state")
    return add_params_to_uri(target, [("state", state)]) if state else target


def refuse_authorization(error: OAuth2Error):
    """Report an authorization error to the client if its redirect_uri is verified, else to the person."""
    log.info("Refused an authorization request: %s", error.error)
    if error.redirect_uri:
        server = provider().server
        response = server.handle_error_response(None, error)
        provider().issuer_parameter.add_issuer_parameter(server, response)
        return response
    message = "Tjenesten som sendte deg hit, sendte en ugyldig forespørsel."
    return render_template("error.html", message=message, detail=error.description or error.error), 400


def render_login_page(error: str | None = None, typed_pid: str = ""):
    return render_template(
        "login.html",
        client_id=request.values.get("client_id"),
        hidden_fields={name: request.values[name] for name in AUTHORIZE_PARAMS if name in request.values},
        csrf_token=csrf_token(),
        persons=provider().settings.persons,
        error=error,
        typed_pid=typed_pid,
    )


def csrf_token() -> str:
    if "csrf_token" not in session:
        session["csrf_token"] = secrets.token_urlsafe(32)
    return session["csrf_token"]


def csrf_token_matches() -> bool:
    expected = session.get("csrf_token")
    return bool(expected) and secrets.compare_digest(expected, request.form.get("csrf_token", ""))


def browser_session_id() -> str:
    """The provider's session id (sid): kept for this browser until end session."""
    storage = provider().storage
    sid = session.get("sid")
    if not storage.is_active_session(sid):
        sid = storage.start_session()
        session["sid"] = sid
    return sid


def client_named_in(id_token_hint: str | None):
    """The client an id_token we issued was meant for, or None.

    The hint may have expired (people log out long after logging in), so only the
    signature and issuer count.
    """
    if not id_token_hint:
        return None
    prov = provider()
    try:
        claims = JsonWebToken(["RS256"]).decode(id_token_hint, prov.signing_key.private)
    except (JoseError, ValueError):
        return None
    if claims.get("iss") != prov.settings.issuer or not isinstance(claims.get("aud"), str):
        return None
    return prov.storage.find_client(claims["aud"])
