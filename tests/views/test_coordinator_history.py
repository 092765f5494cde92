"""Every change is recorded (who, what, when, old → new), the patient sees the history of any item,
and the overview says what is new since the last visit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from patient_app.extensions import db
from patient_app.models import Goal, Measure, Meeting, Participant, Person
from tests.views.conftest import person_by_key, plan_of, text
from tests.views.form_filling import submit



def public_id(app, model, *conditions):
    with app.app_context():
        return db.session.scalar(select(model.public_id).where(*conditions))


@pytest.fixture
def sigrid(sigrid, fresh_browser):
    fresh_browser.get(f"/plan/{sigrid.public_id}/")  # Sigrid has been here: what comes later is new
    return sigrid


def as_coordinator(browser, url: str, changes: dict):
    browser.login_as("coordinator")
    page = browser.get(url)
    response = submit(browser, page, "main form", changes)
    assert response.status_code == 302, f"{url} refused the change"


def test_the_history_of_an_item_shows_who_changed_what_from_what_to_what(fresh_browser, sigrid):
    app = fresh_browser.app
    measure = public_id(app, Measure, Measure.title == "Fysioterapi")
    as_coordinator(fresh_browser, f"/coordinator/plan/{sigrid.public_id}/measures/{measure}",
                   {"extent": "Tre ganger i uka, 45 minutter", "end_date": "2030-01-31"})
    fresh_browser.login_as("patient")
    page = fresh_browser.get(f"/plan/{sigrid.public_id}/changes/{measure}")
    assert page.h1.get_text(strip=True) == "Historikk: Fysioterapi"
    rows = [text(li) for li in page.select(".change-list li")]
    extent = next(r for r in rows if r.startswith("Hvor mye:"))
    assert "To ganger i uka, 45 minutter" in extent and "Tre ganger i uka, 45 minutter" in extent
    assert "Lise Aasen" in extent
    end = next(r for r in rows if r.startswith("Til dato:"))
    assert "31. januar 2030" in end, "dates are written out"
    assert page.select_one(".change-list del") and page.select_one(".change-list ins")
    assert page.select_one(".change-list time")["datetime"]


def test_a_contacts_hidden_number_never_shows_in_the_history(fresh_browser, sigrid):
    app = fresh_browser.app
    hanne = public_id(app, Participant, Participant.name == "Hanne Vik")
    as_coordinator(fresh_browser, f"/coordinator/plan/{sigrid.public_id}/contacts/{hanne}", {"phone": "400 00 111"})
    fresh_browser.login_as("patient")
    page = fresh_browser.get(f"/plan/{sigrid.public_id}/changes/{hanne}")
    assert "Telefon er endret" in text(page.select_one(".change-list"))
    assert "400 00" not in str(page)


def test_the_plan_history_follows_what_each_person_may_see(fresh_browser, sigrid):
    app = fresh_browser.app
    goal = public_id(app, Goal, Goal.title == "Jeg vil sove bedre om natta")
    meeting = public_id(app, Meeting, Meeting.title == "Gjennomgang av planen")
    as_coordinator(fresh_browser, f"/coordinator/plan/{sigrid.public_id}/goals/{goal}", {"status": "in_progress"})
    as_coordinator(fresh_browser, f"/coordinator/plan/{sigrid.public_id}/meetings/{meeting}", {"location": "Rådhuset"})
    fresh_browser.login_as("patient")
    everything = text(fresh_browser.get(f"/plan/{sigrid.public_id}/changes").select_one("main"))
    assert "Jeg vil sove bedre om natta" in everything and "Rådhuset" in everything
    fresh_browser.login_as("relative")  # meetings and contacts only
    relative_view = text(fresh_browser.get(f"/plan/{sigrid.public_id}/changes").select_one("main"))
    assert "Rådhuset" in relative_view and "sove bedre" not in relative_view
    empty = fresh_browser.get(f"/plan/{sigrid.public_id}/changes/{goal}")
    assert "Ingen endringer å vise." in text(empty.select_one("main")), "the same answer as for an unknown item"
    assert "sove" not in str(empty)


def test_new_since_last_time_on_the_overview(fresh_browser, sigrid):
    app = fresh_browser.app
    meeting = public_id(app, Meeting, Meeting.title == "Gjennomgang av planen")
    as_coordinator(fresh_browser, f"/coordinator/plan/{sigrid.public_id}/meetings/{meeting}", {"starts": "14:00"})
    as_coordinator(fresh_browser, f"/coordinator/plan/{sigrid.public_id}/measures/new", {"title": "Svømming"})

    fresh_browser.login_as("patient")  # a new session: the next login
    page = fresh_browser.get(f"/plan/{sigrid.public_id}/")
    section = page.select_one("section[aria-labelledby=new-since-heading]")
    assert section is not None
    lines = [text(li) for li in section.select("li")]
    assert lines[0].startswith("Tiltak: Svømming") and "Nytt" in lines[0]
    assert lines[1].startswith("Møte: Gjennomgang av planen") and "Nytt tidspunkt" in lines[1]
    assert section.select_one("a")["href"] == f"/plan/{sigrid.public_id}/measures"
    again = fresh_browser.get(f"/plan/{sigrid.public_id}/")
    assert again.select_one("section[aria-labelledby=new-since-heading]"), "still new while she looks around"

    fresh_browser.login_as("patient")  # logging in again: seen
    assert fresh_browser.get(f"/plan/{sigrid.public_id}/").select_one("section[aria-labelledby=new-since-heading]") is None


def test_my_own_changes_are_not_new_to_me(fresh_browser):
    app = fresh_browser.app
    sigrid = plan_of(app, "patient")
    fresh_browser.login_as("coordinator")
    fresh_browser.get(f"/plan/{sigrid.public_id}/")
    as_coordinator(fresh_browser, f"/coordinator/plan/{sigrid.public_id}/measures/new", {"title": "Svømming"})
    fresh_browser.login_as("coordinator")
    assert fresh_browser.get(f"/plan/{sigrid.public_id}/").select_one("section[aria-labelledby=new-since-heading]") is None


def test_the_first_visit_shows_nothing_as_new(fresh_browser):
    app = fresh_browser.app
    sigrid = plan_of(app, "patient")
    as_coordinator(fresh_browser, f"/coordinator/plan/{sigrid.public_id}/measures/new", {"title": "Svømming"})
    fresh_browser.login_as("patient")
    assert fresh_browser.get(f"/plan/{sigrid.public_id}/").select_one("section[aria-labelledby=new-since-heading]") is None


def test_guardians_see_nothing_new_about_what_is_kept_from_them(fresh_browser):
    app = fresh_browser.app
    with app.app_context():
        emil_person = db.session.get(Person, person_by_key(app, "child").id)
        today = dt.date.today()
        emil_person.birth_date = today.replace(year=today.year - 13)
        db.session.commit()
    emil = plan_of(app, "child")
    fresh_browser.login_as("guardian1")
    fresh_browser.get(f"/plan/{emil.public_id}/")
    as_coordinator(fresh_browser, f"/coordinator/plan/{emil.public_id}/measures/new",
                   {"title": "Samtaler med helsesykepleier", "hidden_from_guardians": "y"})
    fresh_browser.login_as("guardian1")
    page = fresh_browser.get(f"/plan/{emil.public_id}/")
    assert "helsesykepleier" not in str(page)
    assert "helsesykepleier" not in str(fresh_browser.get(f"/plan/{emil.public_id}/changes"))


def test_each_page_marks_what_is_new_since_the_last_visit(fresh_app):
    from tests.views.conftest import Browser, plan_of

    plan = plan_of(fresh_app, "patient")
    patient = Browser(fresh_app, fresh_app.test_client())
    patient.login_as("patient")
    patient.get(f"/plan/{plan.public_id}/")  # the first visit sets what counts as seen

    coordinator = Browser(fresh_app, fresh_app.test_client())
    coordinator.login_as("coordinator")
    form_page = coordinator.get(f"/coordinator/plan/{plan.public_id}/goals/new")
    response = coordinator.submit(
        form_page, "main form[method=post]", {"title": "Jeg vil lære å sykle igjen", "status": "not_started", "parent": ""}
    )
    assert response.status_code == 302

    patient.login_as("patient")  # next time she logs in
    goals = patient.get(f"/plan/{plan.public_id}/goals")
    new = [h for h in goals.select("main h2") if h.select_one(".tag--new")]
    assert [h.get_text(" ", strip=True).split(" Ny")[0] for h in new] == ["Jeg vil lære å sykle igjen"]
