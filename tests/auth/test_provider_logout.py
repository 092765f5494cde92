"""Logged out at the provider means logged out here: front- and back-channel logout over real HTTP.

The stand-in ends its session as ID-porten does: it posts a signed logout token to
the app (back-channel) and frames the app's front-channel logout page on its own
logout page. The person here logs out at the provider directly, as they would
from another service that uses ID-porten.
"""

from __future__ import annotations

import base64
import json
import secrets
import time

import pytest
import requests
from authlib.jose import JsonWebKey, JsonWebToken
from bs4 import BeautifulSoup

from patient_app.provider_origins import origin_of
from tests.auth.conftest import HttpUser
from tests.conftest import live_system

EVENT = "http://schemas.openid.net/event/backchannel-logout"


def signed_in(user: HttpUser) -> bool:
    """/plans answers a signed-in person (or sends them on to their one plan); others go to /login."""
    response = user.http.get(user.app_url + "/plans", allow_redirects=False)
    return response.status_code == 200 or not response.headers.get("Location", "").startswith("/login")


def logged_in_user(app_url: str, person: str = "patient") -> HttpUser:
    user = HttpUser(app_url)
    user.login_as(person)
    assert signed_in(user)
    return user


def log_out_at_the_provider(user: HttpUser, issuer: str) -> requests.Response:
    """As from another service: the provider's logout page, without our id_token_hint."""
    endpoint = requests.get(issuer + "/.well-known/openid-configuration").json()["end_session_endpoint"]
    return user.http.get(endpoint)


def provider_sessions(running) -> list[str]:
    """The stand-in's live session ids (its storage has no other way to name them to a test)."""
    return list(running.provider.extensions["idporten_standin"].storage._sessions)


def test_backchannel_logout_signs_out_that_provider_session_only(database_url, seeded_app):
    with live_system(database_url, logout_channels=("back",)) as (app_url, issuer, _app):
        leaving, staying = logged_in_user(app_url), logged_in_user(app_url, "relative")

        page = log_out_at_the_provider(leaving, issuer)

        assert page.status_code == 200 and "iframe" not in page.text  # no front-channel here
        assert not signed_in(leaving)
        assert signed_in(staying)


def test_every_login_of_that_provider_session_ends_on_every_device(database_url, seeded_app):
    """The phone's browser and the installed app share the provider's cookie, so one ID-porten
    session; logging out of it from another service ends both logins here."""
    with live_system(database_url, logout_channels=("back",)) as (app_url, issuer, _app):
        browser = logged_in_user(app_url)
        installed_app = HttpUser(app_url)
        for cookie in browser.http.cookies:
            if cookie.domain.startswith("localhost"):  # the provider's cookie only, not ours
                installed_app.http.cookies.set_cookie(cookie)
        installed_app.login_as("patient")
        assert signed_in(browser) and signed_in(installed_app)

        log_out_at_the_provider(browser, issuer)

        assert not signed_in(browser)
        assert not signed_in(installed_app)


def test_frontchannel_logout_signs_out_when_the_providers_page_frames_it(database_url, seeded_app):
    with live_system(database_url, logout_channels=("front",)) as (app_url, issuer, _app):
        user = logged_in_user(app_url)
        page = log_out_at_the_provider(user, issuer)
        frames = [frame["src"] for frame in BeautifulSoup(page.text, "html.parser").select("iframe")]
        assert len(frames) == 1 and frames[0].startswith(app_url + "/logout/frontchannel?")
        assert signed_in(user), "nothing but the framed page may end the session in this test"

        framed = user.http.get(frames[0])

        assert framed.status_code == 200
        policy = framed.headers["Content-Security-Policy"]
        assert f"frame-ancestors {origin_of(page.url)};" in policy  # the provider's logout page, nobody else
        assert "X-Frame-Options" not in framed.headers
        assert not signed_in(user)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(lambda issuer, sid: {"iss": "https://angriper.example", "sid": sid}, id="other-issuer"),
        pytest.param(lambda issuer, sid: {"iss": issuer}, id="no-sid"),
        pytest.param(lambda issuer, sid: {"sid": sid}, id="no-iss"),
    ],
)
def test_frontchannel_logout_refuses_what_the_provider_did_not_send(database_url, seeded_app, query):
    with live_system(database_url, logout_channels=()) as running:
        app_url, issuer, _app = running
        user = logged_in_user(app_url)
        (sid,) = provider_sessions(running)

        response = requests.get(app_url + "/logout/frontchannel", params=query(issuer, sid))

        assert response.status_code == 400
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert signed_in(user)


# --- Back-channel logout tokens, made by hand --------------------------------------


@pytest.fixture(scope="module")
def quiet_system(tmp_path_factory):
    """A live system whose provider tells the app nothing by itself: the tests post the tokens."""
    from tests.conftest import app_on_new_database

    with app_on_new_database(tmp_path_factory) as app:
        with live_system(app.config["SQLALCHEMY_DATABASE_URI"], logout_channels=()) as running:
            yield running


def logout_token(running, session_id: str, key=None, header=None, **changes) -> str:
    provider = running.provider.extensions["idporten_standin"]
    now = int(time.time())
    claims = {"iss": running[1], "aud": "min-plan", "iat": now, "exp": now + 120, "jti": secrets.token_urlsafe(16),
              "sub": "pairwise-sub", "sid": session_id, "events": {EVENT: {}}} | changes
    claims = {name: value for name, value in claims.items() if value is not None}
    header = header or {"alg": "RS256", "kid": provider.signing_key.kid, "typ": "logout+jwt"}
    return JsonWebToken(["RS256"]).encode(header, claims, key or provider.signing_key.private).decode()


def unsigned(claims_token: str) -> str:
    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    payload = claims_token.split(".")[1]
    return f"{part({'alg': 'none', 'typ': 'logout+jwt'})}.{payload}."


def post(running, token: str) -> requests.Response:
    return requests.post(running[0] + "/logout/backchannel", data={"logout_token": token})


def other_key_with_same_kid(running):
    kid = running.provider.extensions["idporten_standin"].signing_key.kid
    return JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": kid})


REFUSED = {
    "forged": lambda r, sid: logout_token(r, sid, key=other_key_with_same_kid(r)),
    "unsigned": lambda r, sid: unsigned(logout_token(r, sid)),
    "expired": lambda r, sid: logout_token(r, sid, iat=int(time.time()) - 240, exp=int(time.time()) - 120),
    "no-exp": lambda r, sid: logout_token(r, sid, exp=None),
    "too-old": lambda r, sid: logout_token(r, sid, iat=int(time.time()) - 3600),
    "from-the-future": lambda r, sid: logout_token(r, sid, iat=int(time.time()) + 600),
    "other-issuer": lambda r, sid: logout_token(r, sid, iss="https://angriper.example"),
    "other-audience": lambda r, sid: logout_token(r, sid, aud="annen-tjeneste"),
    "no-event": lambda r, sid: logout_token(r, sid, events=None),
    "other-event": lambda r, sid: logout_token(r, sid, events={"https://example.com/event": {}}),
    "id-token-with-nonce": lambda r, sid: logout_token(r, sid, nonce="n-0S6_WzA2Mj"),
    "no-sid": lambda r, sid: logout_token(r, sid, sid=None),
    "no-jti": lambda r, sid: logout_token(r, sid, jti=None),
    "not-a-jwt": lambda r, sid: "not-a-token",
    "empty": lambda r, sid: "",
}


@pytest.mark.parametrize("make_token", list(REFUSED.values()), ids=list(REFUSED))
def test_a_logout_token_that_proves_nothing_is_refused_and_ends_nothing(quiet_system, make_token):
    user = logged_in_user(quiet_system[0])
    sid = provider_sessions(quiet_system)[-1]

    response = post(quiet_system, make_token(quiet_system, sid))

    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    assert signed_in(user)


def test_a_valid_logout_token_ends_the_session_once_and_its_replay_is_refused(quiet_system):
    first = logged_in_user(quiet_system[0])
    token = logout_token(quiet_system, provider_sessions(quiet_system)[-1])

    assert post(quiet_system, token).status_code == 200
    assert not signed_in(first)

    second = logged_in_user(quiet_system[0])
    replay = logout_token(quiet_system, provider_sessions(quiet_system)[-1],
                          jti=JsonWebToken(["RS256"]).decode(token, JsonWebKey.import_key_set(
                              requests.get(quiet_system[1] + "/jwks.json").json()))["jti"])
    assert post(quiet_system, replay).status_code == 400
    assert signed_in(second)


def test_request_lines_leave_out_the_provider_session_id():
    from patient_app.logs import redact

    line = '"GET /logout/frontchannel?iss=http%3A%2F%2Flocalhost%3A5001&sid=c2lkLXZhbHVl HTTP/1.1" 200 -'
    assert redact(line) == '"GET /logout/frontchannel?iss=http%3A%2F%2Flocalhost%3A5001&sid=[fjernet] HTTP/1.1" 200 -'
