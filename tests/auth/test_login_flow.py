"""Logging in through the stand-in ID-porten over real HTTP, and every refusal."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest

from patient_app.identity_numbers import make_synthetic
from tests.auth.conftest import HttpUser
from tests.conftest import live_system


def test_patient_logs_in_and_reads_the_plan(user):
    provider_page = user.start_login()
    assert "Logg inn med TestID" in user.page(provider_page).h1.get_text()
    query = parse_qs(urlsplit(provider_page.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["acr_values"] == ["idporten-loa-substantial"]
    assert query["nonce"][0] and query["state"][0]

    landed = user.login_as("patient")
    assert landed.status_code == 200
    page = user.page(landed)
    assert page.select_one("main h1").get_text(strip=True) == "Min plan"
    assert page.select_one(".crisis-link") is not None


def test_session_cookie_is_httponly_and_lax(user):
    user.login_as("patient")
    cookie = next(c for c in user.http.cookies if c.name == "min_plan_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie._rest.get("SameSite") == "Lax"


def test_the_session_cookie_holds_no_identity_number_or_readable_token(user, live):
    """Flask's cookie is signed, not encrypted: anyone holding it can read it. The id_token
    (which carries the identity number) is kept sealed for logout's id_token_hint."""
    user.login_as("patient")
    app = live[2]
    readable = app.session_interface.get_signing_serializer(app).loads(user.http.cookies.get("min_plan_session"))
    assert readable.get("id_token_hint"), "the hint is kept for logout"
    text = json.dumps(readable)
    assert "12868410602" not in text
    assert "eyJ" not in text, "no JWT (header or payload) in readable form"


def test_session_is_renewed_at_login(user):
    user.http.get(user.app_url + "/login")
    before = user.http.cookies.get("min_plan_session")
    user.login_as("patient")
    assert user.http.cookies.get("min_plan_session") != before


ANDROID_CHROME = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"


def test_a_new_login_gives_a_new_session_id_and_the_old_cookie_stops_working(user, live):
    from sqlalchemy import select

    from patient_app.extensions import db
    from patient_app.models import LoginSession

    user.http.headers["User-Agent"] = ANDROID_CHROME
    user.login_as("patient")
    first = user.http.cookies.get("min_plan_session")
    user.login_as("patient")
    second = user.http.cookies.get("min_plan_session")
    assert second != first

    stolen = HttpUser(user.app_url)  # the same browser and address, so only the cookie decides
    stolen.http.headers["User-Agent"] = ANDROID_CHROME
    stolen.http.cookies.set("min_plan_session", first)
    assert stolen.http.get(user.app_url + "/plans", allow_redirects=False).headers["Location"].endswith("/login")
    stolen.http.cookies.set("min_plan_session", second)
    assert "/plan/" in stolen.http.get(user.app_url + "/plans", allow_redirects=False).headers["Location"]

    with live[2].app_context():
        latest = db.session.scalars(select(LoginSession).order_by(LoginSession.id.desc()).limit(2)).all()
    assert [row.ended_at is None for row in latest] == [True, False], "the second login ended the first"
    assert latest[0].device_label == "Chrome på Android"


def test_person_without_a_plan_gets_a_kind_page(user):
    import datetime

    stranger = make_synthetic(datetime.date(1990, 1, 1), 111)
    back = user.pick_person(user.start_login(), stranger)
    landed = user.http.get(back.headers["Location"])
    assert landed.status_code == 200
    page = user.page(landed)
    assert page.select_one("main h1").get_text(strip=True) == "Du har ingen plan her ennå"
    assert "koordinatoren" in page.select_one("main").get_text()


def test_replayed_code_is_refused(user):
    back = user.pick_person(user.start_login(), "12868410602")
    callback = back.headers["Location"]
    assert user.http.get(callback).status_code == 200
    replay = user.http.get(callback)
    assert replay.status_code == 400
    assert user.page(replay).select_one("main h1").get_text(strip=True) == "Innloggingen gikk ikke"


def test_state_mismatch_is_refused(user):
    back = user.pick_person(user.start_login(), "12868410602")
    parts = urlsplit(back.headers["Location"])
    query = parse_qs(parts.query)
    forged = f"{user.app_url}/login/callback?code={query['code'][0]}&state=forged&iss={query['iss'][0]}"
    assert user.http.get(forged).status_code == 400


def test_the_state_of_a_finished_login_does_not_open_another(user):
    """A login's state is spent when it succeeds: sent again with a fresh code, it is refused."""
    first = urlsplit(user.pick_person(user.start_login(), "12868410602").headers["Location"])
    assert user.http.get(f"{user.app_url}{first.path}?{first.query}").status_code == 200
    second = parse_qs(urlsplit(user.pick_person(user.start_login(), "12868410602").headers["Location"]).query)
    spent_state = parse_qs(first.query)["state"][0]
    assert spent_state != second["state"][0]
    replay = f"{user.app_url}/login/callback?code={second['code'][0]}&state={spent_state}&iss={second['iss'][0]}"
    assert user.http.get(replay).status_code == 400


def test_cancel_at_the_provider_returns_to_login(user):
    provider_page = user.start_login()
    cancel_form = user.page(provider_page).select("form")[-1]
    back = user.http.post(
        provider_page.url.split("?")[0], data=user.form_fields(cancel_form) | {"cancel": "1"}, allow_redirects=True
    )
    assert back.url.endswith("/login")


def test_logout_ends_the_session_here_and_at_the_provider(user):
    page = user.page(user.login_as("patient"))
    form = page.select_one("form.site-header__logout")
    response = user.http.post(user.app_url + form["action"], data=user.form_fields(form), allow_redirects=False)
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    end_session = urlsplit(response.headers["Location"])
    assert end_session.path == "/logout"
    query = parse_qs(end_session.query)
    assert query["post_logout_redirect_uri"] == [user.app_url + "/logged-out"]
    assert query["id_token_hint"][0].count(".") == 2
    provider_page = user.page(user.http.get(response.headers["Location"]))
    # The provider's page frames our front-channel logout, then goes back to us (a link without JavaScript).
    assert provider_page.select_one("iframe")["src"].startswith(user.app_url + "/logout/frontchannel?")
    finished = user.http.get(provider_page.select_one("a#continue")["href"])
    assert finished.url.startswith(user.app_url + "/logged-out")
    assert user.http.get(user.app_url + "/plans", allow_redirects=False).status_code == 302


FAULTS = ["wrong_issuer", "wrong_audience", "expired", "wrong_nonce", "low_acr", "alg_none", "other_key",
          "wrong_iss_param", "no_iss_param", "future_iat", "future_nbf", "no_sub", "azp_mismatch"]


@pytest.mark.parametrize("fault", FAULTS)
def test_login_is_refused_when_the_provider_misbehaves(database_url, seeded_app, fault):
    with live_system(database_url, faults={fault: True}) as (app_url, _issuer, _app):
        user = HttpUser(app_url)
        landed = user.login_as("patient")
        assert landed.status_code == 400, f"a token with fault {fault!r} was accepted"
        assert user.page(landed).select_one("main h1").get_text(strip=True) == "Innloggingen gikk ikke"
        assert user.http.get(app_url + "/plans", allow_redirects=False).status_code == 302


def test_logins_and_refusals_are_logged_without_the_identity_number(database_url, seeded_app, user, caplog):
    """Authentication decisions leave a trace to investigate (ASVS 7.2.1), never the number itself."""
    with caplog.at_level(logging.INFO, logger="patient_app.views.auth"):
        user.login_as("patient")
        with live_system(database_url, faults={"low_acr": True}) as (app_url, _issuer, _app):
            assert HttpUser(app_url).login_as("patient").status_code == 400
    messages = [record.getMessage() for record in caplog.records if record.name == "patient_app.views.auth"]
    assert "login ok" in messages
    assert "login refused: assurance level too low" in messages
    assert not any("12868410602" in message for message in messages)


def test_id_porten_locale_sets_the_first_language(user):
    """The language chosen before login travels as ui_locales and comes back as the locale claim."""
    page = user.page(user.http.get(user.app_url + "/login"))
    form = page.select_one("form.language-form")
    user.http.post(user.app_url + form["action"], data=user.form_fields(form) | {"language": "en"})
    landed = user.login_as("guardian2")
    assert user.page(landed).html["lang"] == "en"
    query = parse_qs(urlsplit(user.start_login().url).query)
    assert query["ui_locales"] == ["en"]
