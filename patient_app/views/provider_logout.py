"""Logged out at ID-porten means logged out here: front- and back-channel logout.

ID-porten ends its single sign-on session across all its clients. It tells us
in the person's browser (front-channel: its logout page loads our page in an
iframe with iss and sid) and server to server (back-channel: it posts a signed
logout token). Either way every login session of that provider session ends,
on every device; each notices at its next request.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request
from requests import RequestException

from patient_app import login_sessions
from patient_app.access import public
from patient_app.auth import identity_provider
from patient_app.extensions import csrf
from patient_app.logout_tokens import LogoutTokenRefused, verified_logout_claims
from patient_app.provider_origins import allow_framing_by_provider

bp = Blueprint("provider_logout", __name__)
log = logging.getLogger(__name__)

NOT_CACHED = {"Cache-Control": "no-store"}
# The front-channel answer is for the provider's iframe, not a page to read: plain text,
# and a refusal says what it is (a browser shows its own error page for an empty one).
FRAME_ANSWER = NOT_CACHED | {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/logout/frontchannel")
@public
def frontchannel_logout():
    """OpenID Connect Front-Channel Logout 1.0: the provider's logout page frames this."""
    try:
        issuer = identity_provider().load_server_metadata()["issuer"]
    except (RequestException, ValueError, KeyError):
        return "provider unavailable", 503, FRAME_ANSWER
    sid = request.args.get("sid", "")
    if request.args.get("iss") != issuer or not sid:
        log.warning("front-channel logout refused: iss or sid wrong or missing")
        return "invalid front-channel logout request", 400, FRAME_ANSWER
    ended = login_sessions.end_provider_session(sid)
    log.info("front-channel logout ended %d login sessions", ended)
    allow_framing_by_provider()
    return "", 200, FRAME_ANSWER


@bp.post("/logout/backchannel")
@public
@csrf.exempt  # the provider's server posts here; the signed logout token is the proof
def backchannel_logout():
    """OpenID Connect Back-Channel Logout 1.0: 200 once the sessions have ended, 400 for any doubt."""
    try:
        claims = verified_logout_claims(request.form.get("logout_token", ""))
    except LogoutTokenRefused as error:
        log.warning("back-channel logout refused: %s", error)
        return {"error": "invalid_request"}, 400, NOT_CACHED
    except (RequestException, ValueError, KeyError):
        return {"error": "temporarily_unavailable"}, 503, NOT_CACHED
    ended = login_sessions.end_provider_session(claims["sid"])
    log.info("back-channel logout ended %d login sessions", ended)
    return "", 200, NOT_CACHED
