"""The patient decides who sees the plan, and sees who has looked."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import func, select

from patient_app.demo.people import demo_person
from patient_app.extensions import db
from patient_app.identity_numbers import make_synthetic
from patient_app.models import AccessLogEntry, GrantEvent
from tests.statements import recorded_statements
from tests.views.conftest import plan_of

NEW_RELATIVE = make_synthetic(datetime.date(1960, 8, 1), 107)  # Berit Holm in the register (tests/conftest.py)


def sharing_url(plan):
    return f"/plan/{plan.public_id}/sharing"


def fill_grant_form(browser, plan, **typed):
    page = browser.get(sharing_url(plan) + "/new")
    data = {"national_id": NEW_RELATIVE, "what": "meetings_and_contacts"} | typed
    return browser.submit(page, "main form", data)


def test_patient_sees_everyone_with_access_in_plain_words(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(sharing_url(sigrid_plan))
    relatives = page.select_one("section[aria-labelledby=relatives-heading]")
    text = " ".join(relatives.get_text(" ").split())
    assert "Anders Holm" in text and "Ser: møter og kontakter" in text and "Ingen sluttdato" in text
    professionals = page.select_one("section[aria-labelledby=professionals-heading]").get_text()
    assert "Lise Aasen – koordinator" in professionals and "Ola Brekke – Fysioterapeut" in professionals


def test_granting_asks_for_confirmation_before_anything_changes(fresh_browser):
    plan = plan_of(fresh_browser.app, "patient")
    fresh_browser.login_as("patient")
    response = fill_grant_form(fresh_browser, plan, what="whole_plan", messages="y", valid_until="2099-01-31")
    page = fresh_browser.parse(response)
    # The name is the register's, for the patient to confirm; nobody typed it.
    assert page.h1.get_text(strip=True) == "Er dette Berit Holm?"
    facts = " ".join(page.select_one("dl").get_text(" ").split())
    assert "Berit Holm" in facts and "hele planen, meldinger" in facts and "31. januar 2099" in facts
    with fresh_browser.app.app_context():
        assert db.session.scalar(select(func.count(GrantEvent.id))) == 0, "nothing may change before the patient confirms"

    confirmed = fresh_browser.submit(page, "main form")
    assert confirmed.status_code == 302
    listing = fresh_browser.get(confirmed.headers["Location"])
    assert "Berit Holm har fått tilgang til planen din." in listing.select_one(".confirmation").get_text()
    history = listing.select_one("section[aria-labelledby=history-heading]").get_text()
    assert "Sigrid Bakken Holm ga Berit Holm tilgang" in history


def test_the_new_relative_sees_exactly_what_was_granted_and_loses_it_when_withdrawn(fresh_browser):
    app = fresh_browser.app
    plan = plan_of(app, "patient")
    fresh_browser.login_as("patient")
    confirm_page = fresh_browser.parse(fill_grant_form(fresh_browser, plan))
    fresh_browser.submit(confirm_page, "main form")

    relative_client = app.test_client()
    from tests.views.conftest import Browser, person_by_number

    relative = Browser(app, relative_client)
    relative.login_as_person(person_by_number(app, NEW_RELATIVE))
    relative.get(f"/plan/{plan.public_id}/meetings")
    relative.get(f"/plan/{plan.public_id}/goals", expected_status=404)

    listing = fresh_browser.get(sharing_url(plan))
    withdraw_link = next(a for a in listing.select("a") if "Fjern tilgangen" in a.get_text() and "Berit" in a.get_text())
    confirm = fresh_browser.get(withdraw_link["href"])
    assert confirm.h1.get_text(strip=True) == "Fjerne tilgangen til Berit Holm?"
    done = fresh_browser.submit(confirm, "main form")
    assert done.status_code == 302
    relative.get(f"/plan/{plan.public_id}/meetings", expected_status=404)
    relative.get(f"/plan/{plan.public_id}/", expected_status=404)


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"national_id": "12345678901"}, "national_id", "Fødselsnummeret stemmer ikke."),
        ({"national_id": demo_person("patient").pid}, "national_id", "Dette er ditt eget fødselsnummer."),
        ({"what": ""}, "what", "Velg hva personen skal kunne se."),
        ({"valid_until": "2001-01-01"}, "valid_until", "Datoen har allerede vært."),
        ({"valid_until": "i morgen"}, "valid_until", "Vi forstod ikke datoen. Skriv den som dag, måned og år"),
    ],
)
def test_bad_input_gets_a_clear_message_keeps_what_was_typed_and_changes_nothing(fresh_browser, typed, field, message):
    plan = plan_of(fresh_browser.app, "patient")
    fresh_browser.login_as("patient")
    response = fill_grant_form(fresh_browser, plan, **typed)
    assert response.status_code == 400
    page = fresh_browser.parse(response)
    error = page.select_one(f"#{field}-error")
    assert error is not None and message in error.get_text()
    described = page.select_one(f"#{field}")
    assert f"{field}-error" in described.get("aria-describedby", ""), "the error must be tied to its field"
    assert page.select_one(".error-summary a")["href"] == f"#{field}"
    if field != "national_id":
        assert page.select_one("#national_id")["value"] == NEW_RELATIVE, "what the person typed must be kept"
    with fresh_browser.app.app_context():
        assert db.session.scalar(select(func.count(GrantEvent.id))) == 0


def test_only_the_patient_manages_access(browser, sigrid_plan):
    """(For a child under 16 it is the guardians: tests/views/test_authorization_matrix.py.)"""
    for key, plan in [("relative", sigrid_plan), ("coordinator", sigrid_plan)]:
        browser.login_as(key)
        browser.get(sharing_url(plan), expected_status=404)
        browser.get(sharing_url(plan) + "/new", expected_status=404)


def test_views_by_others_are_logged_and_shown_to_the_patient_newest_first(fresh_browser):
    app = fresh_browser.app
    plan = plan_of(app, "patient")
    fresh_browser.login_as("relative")
    fresh_browser.get(f"/plan/{plan.public_id}/meetings")
    fresh_browser.get(f"/plan/{plan.public_id}/contacts")
    fresh_browser.login_as("patient")
    fresh_browser.get(f"/plan/{plan.public_id}/goals")  # the patient's own views are not logged
    page = fresh_browser.get(f"/plan/{plan.public_id}/access-log")
    rows = [" ".join(r.get_text(" ").split()) for r in page.select("tbody tr")]
    assert len(rows) == 2
    assert "Anders Holm (pårørende)" in rows[0] and rows[0].endswith("Kontakter")
    assert rows[1].endswith("Møter")


def test_recording_a_view_costs_one_insert(fresh_browser):
    app = fresh_browser.app
    plan = plan_of(app, "patient")
    fresh_browser.login_as("relative")
    with app.app_context():
        engine = db.engine
    with recorded_statements(engine) as statements:
        fresh_browser.get(f"/plan/{plan.public_id}/contacts")
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and "access_log_entry" in inserts[0]
    with app.app_context():
        assert db.session.scalar(select(func.count(AccessLogEntry.id))) == 1


def test_print_is_for_patient_guardian_and_coordinator_only(browser, sigrid_plan, emil_plan):
    for key, plan, status in [
        ("patient", sigrid_plan, 200),
        ("coordinator", sigrid_plan, 200),
        ("guardian1", emil_plan, 200),
        ("relative", sigrid_plan, 404),
    ]:
        browser.login_as(key)
        browser.get(f"/plan/{plan.public_id}/print", expected_status=status)
    browser.login_as("relative")
    overview = browser.get(f"/plan/{sigrid_plan.public_id}/")
    assert not [a for a in overview.select("a") if "/print" in a.get("href", "")], "no print link for a relative"


def grant_events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(GrantEvent.id)))


def test_a_number_the_register_does_not_know_is_refused_at_the_number(fresh_browser):
    plan = plan_of(fresh_browser.app, "patient")
    fresh_browser.login_as("patient")

    from tests.conftest import NOT_IN_REGISTER

    response = fill_grant_form(fresh_browser, plan, national_id=NOT_IN_REGISTER)

    assert response.status_code == 400
    error = fresh_browser.parse(response).select_one("#national_id-error").get_text()
    assert "Vi fant ingen person med dette fødselsnummeret i Folkeregisteret." in error
    assert grant_events(fresh_browser.app) == 0


@pytest.mark.parametrize("down_at", ["the form", "the confirmation"])
def test_when_the_register_does_not_answer_nothing_is_saved_and_the_patient_is_told(fresh_browser, down_at):
    from tests.conftest import NO_SERVICE

    app = fresh_browser.app
    plan = plan_of(app, "patient")
    fresh_browser.login_as("patient")
    if down_at == "the form":
        app.config["POPULATION_REGISTER_URL"] = NO_SERVICE
    response = fill_grant_form(fresh_browser, plan)
    if down_at == "the confirmation":
        app.config["POPULATION_REGISTER_URL"] = NO_SERVICE
        response = fresh_browser.submit(fresh_browser.parse(response), "main form")

    assert response.status_code == 400
    error = fresh_browser.parse(response).select_one("#national_id-error").get_text()
    assert "Folkeregisteret svarer ikke akkurat nå" in error and "Ingenting er lagret." in error
    assert grant_events(app) == 0


def test_a_name_sent_with_the_confirmation_is_not_the_one_saved(fresh_browser):
    plan = plan_of(fresh_browser.app, "patient")
    fresh_browser.login_as("patient")
    confirm_page = fresh_browser.parse(fill_grant_form(fresh_browser, plan))

    confirmed = fresh_browser.submit(confirm_page, "main form", {"name": "Noen Andre"})

    listing = fresh_browser.get(confirmed.headers["Location"])
    assert "Berit Holm har fått tilgang til planen din." in listing.select_one(".confirmation").get_text()
    assert "Noen Andre" not in listing.get_text()


def test_someone_who_turns_18_today_may_be_given_access(fresh_browser):
    from patient_app.access import today_in_oslo
    from tests.views.test_authorization_matrix import synthetic_number_born, years_ago

    plan = plan_of(fresh_browser.app, "patient")
    fresh_browser.login_as("patient")
    eighteen_today = synthetic_number_born(years_ago(18, today_in_oslo()))

    confirm_page = fresh_browser.parse(fill_grant_form(fresh_browser, plan, national_id=eighteen_today))

    assert confirm_page.h1.get_text(strip=True).startswith("Er dette ")
    assert fresh_browser.submit(confirm_page, "main form").status_code == 302
