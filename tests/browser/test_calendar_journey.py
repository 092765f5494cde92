"""Meetings in the calendar in a real browser: the relative subscribes without
JavaScript and turns it off; the patient's pages pass axe and reflow at 320 px;
the relative's calendar fetching the meetings shows on the patient's access log.

The page that shows a new address is the answer to a post, so the URL-map scan
in test_accessibility.py never sees it; it is checked here.
"""

from __future__ import annotations

import urllib.error
import urllib.request

from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in, sideways_overflow

REFLOW_WIDTH = 320


def fetch_as_a_calendar_app(address: str) -> tuple[int, bytes]:
    """No cookies, no browser: how a phone's calendar polls."""
    try:
        with urllib.request.urlopen(address, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def open_calendar_page(page: Page) -> None:
    page.get_by_role("link", name="Møter", exact=True).click()
    page.get_by_role("link", name="Få møtene inn i kalenderen din").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Møtene i kalenderen")


def turn_on(page: Page) -> str:
    page.get_by_role("button", name="Slå på kalenderadresse").click()
    expect(page.get_by_role("heading", name="Her er den nye kalenderadressen din")).to_be_visible()
    address = page.get_by_role("textbox", name="Kalenderadresse").input_value()
    webcal = page.get_by_role("link", name="Åpne i kalenderappen").get_attribute("href")
    assert webcal == "webcal://" + address.split("://", 1)[1]
    return address


def turn_off(page: Page) -> None:
    page.get_by_role("button", name="Slå av kalenderadressen").click()
    expect(page.get_by_role("status")).to_contain_text("Kalenderadressen er slått av. Den virker ikke lenger.")


def test_a_relative_subscribes_without_javascript_and_turns_it_off(new_context, app_url):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, app_url, "relative")
    open_calendar_page(page)
    address = turn_on(page)

    status, body = fetch_as_a_calendar_app(address)
    assert status == 200
    summaries = {str(event["SUMMARY"]) for event in Calendar.from_ical(body).walk("VEVENT")}
    assert summaries == {"Møte om planen til Sigrid"}

    turn_off(page)
    assert fetch_as_a_calendar_app(address)[0] == 404


def test_the_calendar_pages_pass_axe_and_reflow(new_context, app_url, assert_accessible):
    page = new_context().new_page()
    log_in(page, app_url, "patient")
    open_calendar_page(page)
    assert_accessible(page, "calendar page, address off")
    turn_on(page)
    assert_accessible(page, "calendar page with the new address")
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
    assert not sideways_overflow(page, REFLOW_WIDTH)
    turn_off(page)
    assert_accessible(page, "calendar page, just turned off")


def test_a_relatives_calendar_shows_on_the_patients_access_log(new_context, app_url, url_arguments, assert_accessible):
    relative = new_context().new_page()
    log_in(relative, app_url, "relative")
    open_calendar_page(relative)
    address = turn_on(relative)
    try:
        assert fetch_as_a_calendar_app(address)[0] == 200

        page = new_context().new_page()
        log_in(page, app_url, "patient")
        page.goto(f"{app_url}/plan/{url_arguments['plan_id']}/access-log")
        first_row = page.locator("table.log tbody tr").first
        expect(first_row).to_contain_text("Anders Holm (pårørende)")
        expect(first_row.locator("td").last).to_have_text("Kalender")
        expect(page.get_by_text("«Kalender» betyr at personen har åpnet siden om kalenderen")).to_be_visible()
        assert_accessible(page, "access log with a calendar row")
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
        assert not sideways_overflow(page, REFLOW_WIDTH)
    finally:
        turn_off(relative)
