"""Logging in and out through a provider whose pages live on another origin than its issuer.

ID-porten's issuer is https://test.idporten.no, its login and logout pages are on
https://login.test.idporten.no. The stand-in has the same split (two ports), so
a Content-Security-Policy whose form-action named only the issuer would make
Chromium block the form that starts the login and the one that ends it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from playwright.sync_api import expect

from patient_app.provider_origins import origin_of
from tests.browser.helpers import log_in


def csp_reports(page) -> list[str]:
    """Chromium tells the console each time the policy blocks something."""
    reports: list[str] = []
    page.on("console", lambda message: reports.append(message.text) if "Content Security Policy" in message.text else None)
    return reports


def test_login_and_logout_pass_the_policy_on_a_two_origin_provider(page, live):
    app_url, issuer, _app = live
    metadata = requests.get(issuer + "/.well-known/openid-configuration").json()
    login_pages = origin_of(metadata["authorization_endpoint"])
    assert login_pages != origin_of(issuer)  # otherwise this test proves nothing
    blocked = csp_reports(page)

    with page.expect_response(lambda response: urlsplit(response.url).path == "/login") as login_page:
        log_in(page, app_url, "patient")
    assert "form-action" in login_page.value.all_headers()["content-security-policy"]
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()

    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(app_url + "/logged-out**")

    assert blocked == []
    page.goto(app_url + "/plans")
    assert urlsplit(page.url).path == "/login"


def test_logging_out_at_the_provider_signs_out_here_through_the_framed_page(page, live):
    """Front-channel only: the provider's logout page frames ours, Chromium lets it (frame-ancestors
    names that page's origin), and the login here ends."""
    from tests.conftest import live_system

    with live_system(live[2].config["SQLALCHEMY_DATABASE_URI"], logout_channels=("front",)) as (app_url, issuer, _):
        metadata = requests.get(issuer + "/.well-known/openid-configuration").json()
        blocked = csp_reports(page)
        log_in(page, app_url, "patient")

        # As from another service that uses ID-porten: its logout page, without our id_token_hint.
        with page.expect_response(lambda response: urlsplit(response.url).path == "/logout/frontchannel") as framed:
            page.goto(metadata["end_session_endpoint"])
        expect(page.get_by_role("heading", level=1)).to_have_text("Logger ut av tjenestene")
        assert framed.value.status == 200
        page.wait_for_load_state("load")  # the iframe too

        assert blocked == []
        page.goto(app_url + "/plans")
        assert urlsplit(page.url).path == "/login"
