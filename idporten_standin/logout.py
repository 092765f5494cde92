"""Single logout as ID-porten does it: every client the session logged in to is told.

Front-channel: the logout page frames each client's frontchannel_logout_uri with
iss and sid (OpenID Connect Front-Channel Logout 1.0). Back-channel: a signed
logout token is posted to each client's backchannel_logout_uri (OpenID Connect
Back-Channel Logout 1.0), once, with ID-porten's timeouts, and a failure is only
logged.
"""

from __future__ import annotations

import logging
import secrets
import time

import requests
from authlib.common.urls import add_params_to_uri
from authlib.jose import JsonWebToken

from .server import Provider, pairwise_subject

log = logging.getLogger(__name__)

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_LIFETIME = 120
# ID-porten's documented timeouts for the back-channel call: 2 s to connect, 5 s to read.
BACKCHANNEL_TIMEOUT = (2, 5)


def logout_token(provider: Provider, client_id: str, pid: str, sid: str) -> str:
    now = int(time.time())
    claims = {
        "iss": provider.settings.issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_LIFETIME,
        "jti": secrets.token_urlsafe(24),
        "sub": pairwise_subject(provider.settings.pairwise_salt, client_id, pid),
        "sid": sid,
        "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
    }
    header = {"alg": "RS256", "kid": provider.signing_key.kid, "typ": "logout+jwt"}
    return JsonWebToken(["RS256"]).encode(header, claims, provider.signing_key.private).decode()


def tell_clients(provider: Provider, sid: str, participants: dict[str, str]) -> list[str]:
    """Post back-channel logout tokens now; return the front-channel URIs for the page to frame."""
    frames = []
    for client_id, pid in participants.items():
        client = provider.storage.find_client(client_id)
        if client is None:
            continue
        if client.backchannel_logout_uri:
            post_logout_token(client.backchannel_logout_uri, logout_token(provider, client_id, pid, sid), client_id)
        if client.frontchannel_logout_uri:
            frames.append(add_params_to_uri(
                client.frontchannel_logout_uri, [("iss", provider.settings.issuer), ("sid", sid)]
            ))
    return frames


def post_logout_token(uri: str, token: str, client_id: str) -> None:
    try:
        response = requests.post(uri, data={"logout_token": token}, timeout=BACKCHANNEL_TIMEOUT)
    except requests.RequestException as error:
        log.warning("Back-channel logout to client %s failed: %s", client_id, type(error).__name__)
        return
    if not 200 <= response.status_code < 300:
        log.warning("Back-channel logout to client %s answered %s", client_id, response.status_code)
