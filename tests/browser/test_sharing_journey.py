"""The patient gives a relative "meetings and contacts", the relative sees exactly that,
the patient withdraws it, and the relative's next request is refused."""

from __future__ import annotations

import datetime
import re

from playwright.sync_api import expect

from patient_app.identity_numbers import make_synthetic
from tests.browser.helpers import log_in, log_in_with_number

NEW_RELATIVE = make_synthetic(datetime.date(1962, 4, 9), 108)


def test_grant_see_exactly_that_then_withdraw(new_context, app_url, assert_accessible):
    patient = new_context().new_page()
    log_in(patient, app_url, "patient")
    plan_url = patient.url.rstrip("/")
    patient.get_by_role("link", name="Hvem ser planen min").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Hvem ser planen min")
    assert_accessible(patient, "sharing page")

    patient.get_by_role("link", name="Gi en pårørende tilgang").click()
    patient.get_by_role("button", name="Gå videre").click()  # nothing filled in: errors first
    expect(patient.locator(".error-summary")).to_be_visible()
    assert_accessible(patient, "grant form with errors")
    patient.get_by_label("Fødselsnummeret til personen (11 siffer)").fill(NEW_RELATIVE)
    patient.get_by_label("Møter og kontakter").check()
    patient.get_by_role("button", name="Gå videre").click()
    # Nobody types the name: the register's is shown to confirm (tests/conftest.py: KARI_TESTESEN).
    expect(patient.get_by_role("heading", level=1)).to_have_text("Er dette Kari Testesen?")
    assert_accessible(patient, "grant confirmation")
    patient.get_by_role("button", name="Ja, gi tilgang").click()
    expect(patient.get_by_role("status")).to_contain_text("Kari Testesen har fått tilgang til planen din.")

    relative = new_context().new_page()
    log_in_with_number(relative, app_url, NEW_RELATIVE)
    expect(relative.locator(".viewing-as")).to_contain_text("Du ser planen til Sigrid Bakken Holm.")
    nav = relative.locator("nav.plan-nav a")
    expect(nav).to_have_text(["Oversikt", "Møter", "Kontakter"])
    assert_accessible(relative, "relative's overview")
    goals = relative.goto(plan_url + "/goals")
    assert goals.status == 404

    patient.goto(plan_url + "/sharing")
    patient.get_by_role("link", name=re.compile("Fjern tilgangen.*Kari Testesen")).click()
    assert_accessible(patient, "withdraw confirmation")
    patient.get_by_role("button", name="Ja, fjern tilgangen").click()
    expect(patient.get_by_role("status")).to_contain_text("Kari Testesen har ikke lenger tilgang")

    refused = relative.goto(plan_url + "/meetings")
    assert refused.status == 404
    expect(relative.get_by_role("heading", level=1)).to_have_text("Fant ikke siden")
