"""The coordinator's workspace: every form valid, invalid and forbidden, asserted on parsed HTML."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from patient_app.extensions import db
from patient_app.times import OSLO
from patient_app.forms.crisis import MAX_CRISIS_CONTACTS
from patient_app.models import (
    CrisisPlan,
    Goal,
    Measure,
    Meeting,
    MessageThread,
    Minutes,
    Participant,
    Person,
    PlanChange,
    Proposal,
    ServiceDecision,
)
from tests.views.conftest import error_for, person_by_key, plan_of, text
from tests.views.form_filling import submit, textarea_value




def workspace(plan, rest: str = "") -> str:
    return f"/coordinator/plan/{plan.public_id}/{rest}"


def first_id(app, model, plan, *conditions):
    with app.app_context():
        return db.session.scalar(
            select(model.public_id).where(model.plan_id == plan.id, *conditions).order_by(model.id)
        )



def confirmation(browser, response) -> str:
    assert response.status_code == 302, f"expected a redirect, got {response.status_code}"
    page = browser.get(response.headers["Location"])
    return text(page.select_one(".confirmation"))


@pytest.fixture
def lise(fresh_browser):
    """Sigrid's plan on a database of its own, with the coordinator logged in."""
    fresh_browser.login_as("coordinator")
    return plan_of(fresh_browser.app, "patient")


# --- Forbidden: anyone but the plan's coordinator gets 404 ----------------------------


def coordinator_urls(app, plan) -> list[tuple[str, str]]:
    """(method, url) for every route of the workspace, with real ids from ``plan``."""
    ids = {
        "plan_id": plan.public_id,
        "goal_id": first_id(app, Goal, plan),
        "measure_id": first_id(app, Measure, plan),
        "decision_id": first_id(app, ServiceDecision, plan),
        "meeting_id": first_id(app, Meeting, plan),
        "participant_id": first_id(app, Participant, plan),
        "thread_id": first_id(app, MessageThread, plan),
        "proposal_id": first_id(app, Proposal, plan),
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("coordinator.") or "plan_id" not in rule.arguments:
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(ids[m.group(1)]), rule.rule)
        urls += [(method, url) for method in sorted(rule.methods & {"GET", "POST"})]
    return urls


@pytest.mark.parametrize("who", ["patient", "relative", "guardian1", "child"])
def test_only_the_coordinator_of_the_plan_reaches_the_workspace(browser, sigrid_plan, who):
    urls = coordinator_urls(browser.app, sigrid_plan)
    assert len(urls) >= 20, "the test found too few workspace routes"
    browser.login_as(who)
    token = browser.get("/about-individual-plan").select_one("input[name=csrf_token]")["value"]
    assert browser.client.get("/coordinator/").status_code == 404
    wrong = []
    for method, url in urls:
        response = browser.client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        if response.status_code != 404:
            wrong.append(f"{who} {method} {url} -> {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_a_coordinator_does_not_reach_a_plan_they_do_not_coordinate(fresh_browser):
    app = fresh_browser.app
    sigrid = plan_of(app, "patient")
    with app.app_context():
        other = Person(name="Kari Koordinator", pid_hash="other-coordinator")
        db.session.add(other)
        db.session.commit()
    emil = plan_of(app, "child")
    fresh_browser.login_as("coordinator")  # so a plan exists in Kari's view of the world below
    from patient_app.models import Membership, Role

    with app.app_context():
        db.session.add(Membership(plan_id=emil.id, person_id=other.id, role=Role.COORDINATOR))
        db.session.commit()
    fresh_browser.login_as_person(other)
    assert fresh_browser.client.get("/coordinator/").status_code == 200
    for method, url in coordinator_urls(app, sigrid):
        if method == "GET":
            assert fresh_browser.client.get(url).status_code == 404, url
    assert fresh_browser.client.get(workspace(emil)).status_code == 200


# --- The list of plans ---------------------------------------------------------------


def test_the_coordinator_sees_their_plans_with_unread_first(browser, sigrid_plan, emil_plan):
    browser.login_as("coordinator")
    page = browser.get("/coordinator/")
    assert page.h1.get_text(strip=True) == "Planene jeg koordinerer"
    cards = page.select(".coordinator-plans > li")
    assert [card.h2.get_text(strip=True) for card in cards] == ["Planen til Sigrid Bakken Holm", "Planen til Emil Strand"]
    assert "1 ulest melding" in text(cards[0])
    assert "2 samtaler venter på svar" in text(cards[0]), "the last word in each came from Sigrid"
    assert "Ingen uleste meldinger" in text(cards[1])
    assert cards[0].select_one("a")["href"] == workspace(sigrid_plan)


def test_coordinators_find_the_workspace_from_the_header(browser, sigrid_plan):
    browser.login_as("coordinator")
    choose = browser.get("/plans")
    assert choose.select_one(".site-header__coordinator")["href"] == "/coordinator/"
    plan_page = browser.get(f"/plan/{sigrid_plan.public_id}/")
    link = plan_page.select_one(".site-header__coordinator")
    assert link.get_text(strip=True) == "Endre planen" and link["href"] == workspace(sigrid_plan)
    browser.login_as("patient")
    assert browser.get(f"/plan/{sigrid_plan.public_id}/").select_one(".site-header__coordinator") is None


def test_the_plan_workspace_lists_everything_there_is_to_keep_current(browser, sigrid_plan):
    browser.login_as("coordinator")
    page = browser.get(workspace(sigrid_plan))
    headings = [h.get_text(strip=True) for h in page.select("main h2")]
    assert headings == [
        "Meldinger", "Forslag fra Sigrid", "Planperiode og gjennomgang", "Mål", "Tiltak", "Vedtak", "Møter og referater", "Kriseplan",
        "Deltakere og kontakter",
    ]
    messages = page.select("#messages li")
    assert "Ny time hos psykologen" in text(messages[0]) and "1 ulest" in text(messages[0]), "unread first"
    meetings = text(page.select_one("#meetings"))
    assert "Referatet er et utkast" in meetings and "Referatet er publisert" in meetings
    assert page.select_one("nav.plan-nav") is None, "the patient's navigation does not belong here"


# --- Goals -------------------------------------------------------------------------------


def test_a_new_goal_reaches_the_patient_and_the_history(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "goals/new"))
    assert page.select_one("#hidden_from_guardians") is None, "Sigrid is an adult: nothing to hide from guardians"
    response = submit(fresh_browser, page, "main form", {"title": "Jeg vil lage middag til venner", "status": "in_progress"})
    assert "Målet «Jeg vil lage middag til venner» er lagt til." in confirmation(fresh_browser, response)
    fresh_browser.login_as("patient")
    goals = fresh_browser.get(f"/plan/{lise.public_id}/goals")
    section = next(s for s in goals.select("main section") if "lage middag" in s.h2.get_text())
    assert "Pågår" in text(section)
    with fresh_browser.app.app_context():
        change = db.session.scalar(select(PlanChange).where(PlanChange.item_label == "Jeg vil lage middag til venner"))
        assert change.action == "created" and change.changed_by.name == "Lise Aasen"


def test_a_goal_without_a_title_is_refused_and_keeps_what_was_typed(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "goals/new"))
    response = submit(fresh_browser, page, "main form", {"title": "  ", "description": "Noe å huske"})
    assert response.status_code == 200
    page = fresh_browser.parse(response)
    assert error_for(page, "title") == "Feil: Skriv målet"
    assert textarea_value(page.select_one("#description")) == "Noe å huske"
    assert page.select_one(".error-summary a")["href"] == "#title"


def test_editing_a_goal_records_old_and_new_and_can_make_it_a_step(fresh_browser, lise):
    app = fresh_browser.app
    goal_id = first_id(app, Goal, lise, Goal.title == "Jeg vil sove bedre om natta")
    shop_id = first_id(app, Goal, lise, Goal.title == "Jeg vil klare å handle mat selv")
    page = fresh_browser.get(workspace(lise, f"goals/{goal_id}"))
    assert page.select_one("#title")["value"] == "Jeg vil sove bedre om natta"
    assert page.select_one("input[name=status][checked]")["value"] == "not_started"
    response = submit(fresh_browser, page, "main form", {"status": "in_progress", "parent": str(shop_id)})
    assert "er lagret" in confirmation(fresh_browser, response)
    with app.app_context():
        rows = db.session.scalars(select(PlanChange).where(PlanChange.item_public_id == goal_id)).all()
        assert {(r.field, r.old_value, r.new_value) for r in rows} == {
            ("status", "not_started", "in_progress"),
            ("parent_id", "", "Jeg vil klare å handle mat selv"),
        }


def test_a_goal_cannot_hang_under_a_goal_of_another_plan(fresh_browser, lise):
    emil_goal = first_id(fresh_browser.app, Goal, plan_of(fresh_browser.app, "child"))
    page = fresh_browser.get(workspace(lise, "goals/new"))
    response = submit(fresh_browser, page, "main form", {"title": "Et mål", "parent": str(emil_goal)})
    assert response.status_code == 200
    assert error_for(fresh_browser.parse(response), "parent") == "Feil: Det du valgte, finnes ikke i lista. Velg et av alternativene."


# --- Measures ------------------------------------------------------------------------------


def test_a_new_measure_with_responsible_and_period(fresh_browser, lise):
    app = fresh_browser.app
    physio = first_id(app, Participant, lise, Participant.name == "Ola Brekke")
    page = fresh_browser.get(workspace(lise, "measures/new"))
    today = dt.date.today()
    response = submit(fresh_browser, page, "main form", {
        "title": "Bassengtrening", "extent": "En gang i uka", "responsible": str(physio),
        "start_date": (today - dt.timedelta(days=1)).isoformat(), "end_date": (today + dt.timedelta(days=60)).isoformat(),
    })
    assert "Tiltaket «Bassengtrening» er lagt til." in confirmation(fresh_browser, response)
    fresh_browser.login_as("patient")
    measures = fresh_browser.get(f"/plan/{lise.public_id}/measures")
    card = next(c for c in measures.select("main article") if c.h3.get_text(strip=True) == "Bassengtrening")
    assert "Ansvarlig Ola Brekke" in text(card) and card.select("time")


def test_a_measure_that_ends_before_it_starts_is_refused(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "measures/new"))
    response = submit(fresh_browser, page, "main form", {
        "title": "Baklengs", "start_date": "2026-05-10", "end_date": "09.05.2026",
    })
    page = fresh_browser.parse(response)
    assert error_for(page, "end_date") == "Feil: Til-datoen er før fra-datoen. Rett en av datoene."
    assert page.select_one("#title")["value"] == "Baklengs"


def test_changing_who_is_responsible_is_recorded_by_name(fresh_browser, lise):
    app = fresh_browser.app
    measure_id = first_id(app, Measure, lise, Measure.title == "Fysioterapi")
    nina = first_id(app, Participant, lise, Participant.name == "Nina Lund")
    page = fresh_browser.get(workspace(lise, f"measures/{measure_id}"))
    assert page.select_one("#responsible option[selected]").get_text().startswith("Ola Brekke")
    submit(fresh_browser, page, "main form", {"responsible": str(nina)})
    with app.app_context():
        change = db.session.scalar(select(PlanChange).where(PlanChange.item_public_id == measure_id))
        assert (change.field, change.old_value, change.new_value) == ("responsible_id", "Ola Brekke", "Nina Lund")


# --- Service decisions ----------------------------------------------------------------------


def test_a_new_decision_and_an_impossible_date(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "decisions/new"))
    bad = submit(fresh_browser, page, "main form", {"service": "Støttekontakt", "answer_due": "31.02.2026"})
    bad_page = fresh_browser.parse(bad)
    assert "Skriv den som dag, måned og år" in error_for(bad_page, "answer_due")
    assert bad_page.select_one("#service")["value"] == "Støttekontakt"
    good = submit(fresh_browser, bad_page, "main form", {"answer_due": "2026-03-01"})
    assert "Vedtaket om «Støttekontakt» er lagt til." in confirmation(fresh_browser, good)
    fresh_browser.login_as("patient")
    decisions = text(fresh_browser.get(f"/plan/{lise.public_id}/decisions").select_one("main"))
    assert "Støttekontakt" in decisions and "Søkt, venter på svar" in decisions


def test_a_decision_needs_the_service_named(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "decisions/new"))
    response = submit(fresh_browser, page, "main form", {"service": ""})
    assert error_for(fresh_browser.parse(response), "service") == "Feil: Skriv hvilken tjeneste vedtaket gjelder"


# --- Meetings and minutes --------------------------------------------------------------------


def test_a_meeting_is_entered_in_norwegian_time_and_stored_in_utc(fresh_browser, lise):
    app = fresh_browser.app
    day = dt.date.today() + dt.timedelta(days=20)
    physio = first_id(app, Participant, lise, Participant.name == "Ola Brekke")
    nina = first_id(app, Participant, lise, Participant.name == "Nina Lund")
    page = fresh_browser.get(workspace(lise, "meetings/new"))
    assert [i["value"] for i in page.select("input[name=invitees]")], "the participants are there to invite"
    response = submit(fresh_browser, page, "main form", {
        "title": "Oppfølgingsmøte", "date": day.isoformat(), "starts": "10:00", "ends": "11.30",
        "video_url": "https://video.nordby.kommune.example/mote/ny", "invitees": [str(physio), str(nina)],
        "agenda": "Trening\nJobb",
    })
    assert "Møtet «Oppfølgingsmøte» er satt opp." in confirmation(fresh_browser, response)
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.title == "Oppfølgingsmøte"))
        assert meeting.starts_at == dt.datetime.combine(day, dt.time(10), OSLO).astimezone(dt.timezone.utc)
        assert meeting.starts_at.tzinfo is not None
        assert [p.name for p in meeting.invitees] == ["Ola Brekke", "Nina Lund"]
        meeting_id = meeting.public_id
    fresh_browser.login_as("patient")
    shown = fresh_browser.get(f"/plan/{lise.public_id}/meetings/{meeting_id}")
    assert "kl. 10.00" in text(shown.select_one("main")) and "Ola Brekke, Nina Lund" in text(shown.select_one("main"))


def test_a_meeting_needs_a_place_or_a_video_link_and_an_end_after_its_start(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "meetings/new"))
    response = submit(fresh_browser, page, "main form", {
        "title": "Uten sted", "date": "2026-06-01", "starts": "14:00", "ends": "13:00",
    })
    page = fresh_browser.parse(response)
    assert error_for(page, "location") == "Feil: Skriv hvor møtet er, eller lim inn lenken til videomøtet"
    assert error_for(page, "ends") == "Feil: Møtet slutter før det starter. Rett tiden for når det slutter."
    assert page.select_one("#title")["value"] == "Uten sted"
    assert page.select_one("#starts")["value"] == "14:00"


def test_a_video_link_must_be_a_web_address(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "meetings/new"))
    response = submit(fresh_browser, page, "main form", {
        "title": "Video", "date": "2026-06-01", "starts": "14:00", "video_url": "javascript:alert(1)",
    })
    assert error_for(fresh_browser.parse(response), "video_url") == "Feil: Lenken er ikke sikker. Lim inn en lenke som begynner med https://"


@pytest.mark.parametrize("address", [
    "https://video.example/mote\r\nX-Injected: 1",  # urlsplit drops CR/LF, so the old check passed it
    "https://video.example/mote\nneste",
    "https://video.example/mo te",
    "https://video.example/mote\tx",
])
def test_a_video_link_with_spaces_or_line_breaks_is_refused_and_the_calendars_keep_working(fresh_browser, lise,
                                                                                          address):
    page = fresh_browser.get(workspace(lise, "meetings/new"))
    response = submit(fresh_browser, page, "main form", {
        "title": "Video", "date": "2026-06-01", "starts": "14:00", "video_url": address,
    })
    assert error_for(fresh_browser.parse(response), "video_url") == (
        "Feil: Lenken kan ikke ha mellomrom eller linjeskift. Lim inn lenken slik den er.")
    with fresh_browser.app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id)).where(Meeting.title == "Video")) == 0


def test_moving_a_meeting_keeps_its_invitees_and_records_the_move(fresh_browser, lise):
    app = fresh_browser.app
    with app.app_context():
        meeting = db.session.scalar(
            select(Meeting).where(Meeting.plan_id == lise.id, Meeting.title == "Gjennomgang av planen")
        )
        meeting_id, invitees = meeting.public_id, [p.name for p in meeting.invitees]
    page = fresh_browser.get(workspace(lise, f"meetings/{meeting_id}"))
    assert page.select_one("#starts")["value"] == "13:00"
    submit(fresh_browser, page, "main form", {"starts": "14:15"})
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.public_id == meeting_id))
        assert meeting.starts_at.astimezone(OSLO).time() == dt.time(14, 15)
        assert [p.name for p in meeting.invitees] == invitees
        change = db.session.scalar(select(PlanChange).where(PlanChange.item_public_id == meeting_id))
        assert change.field == "starts_at" and change.kind == "datetime"


def test_draft_minutes_never_reach_the_patient_until_published(fresh_browser, lise):
    app = fresh_browser.app
    with app.app_context():
        meeting = db.session.scalar(
            select(Meeting).where(Meeting.plan_id == lise.id, Meeting.title == "Gjennomgang av planen")
        )
        meeting_id = meeting.public_id
    patient_url = f"/plan/{lise.public_id}/meetings/{meeting_id}"
    page = fresh_browser.get(workspace(lise, f"meetings/{meeting_id}/minutes"))
    assert "Dette er et utkast." in text(page.select_one(".notice"))
    draft = submit(fresh_browser, page, "main form", {"body": "Hemmelig utkast om planen", "action": "draft"})
    assert "Utkastet er lagret. Ingen andre ser det før du publiserer." in confirmation(fresh_browser, draft)

    for who in ("patient", "relative"):
        fresh_browser.login_as(who)
        shown = fresh_browser.get(patient_url)
        assert "Hemmelig utkast" not in str(shown), f"{who} must not see a draft"
        assert "Referatet er ikke klart ennå." in text(shown.select_one("main"))
        assert "Hemmelig utkast" not in str(fresh_browser.get(f"/plan/{lise.public_id}/meetings"))

    fresh_browser.login_as("coordinator")
    page = fresh_browser.get(workspace(lise, f"meetings/{meeting_id}/minutes"))
    assert textarea_value(page.select_one("#body")) == "Hemmelig utkast om planen"
    published = submit(fresh_browser, page, "main form", {"body": "Vi gikk gjennom planen.", "action": "publish"})
    assert "Referatet er publisert." in confirmation(fresh_browser, published)
    fresh_browser.login_as("patient")
    assert "Vi gikk gjennom planen." in text(fresh_browser.get(patient_url).select_one("main"))
    with app.app_context():
        actions = db.session.scalars(select(PlanChange.action).where(PlanChange.item_public_id == meeting_id)).all()
        assert actions == ["published"], "a draft leaves no trace in the history the patient sees"


def test_minutes_written_in_a_browser_keep_their_paragraphs(fresh_browser, lise):
    """Browsers send a new line as CR LF: two paragraphs must stay two for the reader."""
    meeting_id = first_id(fresh_browser.app, Meeting, lise)
    page = fresh_browser.get(workspace(lise, f"meetings/{meeting_id}/minutes"))
    body = "Vi gikk gjennom målene.\r\n\r\nNeste møte er i mars.\r\nAnders kommer."
    submit(fresh_browser, page, "main form", {"body": body, "action": "publish"})
    fresh_browser.login_as("patient")
    shown = fresh_browser.get(f"/plan/{lise.public_id}/meetings/{meeting_id}")
    paragraphs = [text(p) for p in shown.select("main p") if "målene" in p.get_text() or "mars" in p.get_text()]
    assert paragraphs == ["Vi gikk gjennom målene.", "Neste møte er i mars. Anders kommer."]
    with fresh_browser.app.app_context():
        stored = db.session.scalar(select(Minutes.body).join(Meeting).where(Meeting.public_id == meeting_id))
        assert "\r" not in stored, "one kind of line break is stored"


def test_empty_minutes_are_refused(fresh_browser, lise):
    meeting_id = first_id(fresh_browser.app, Meeting, lise)
    page = fresh_browser.get(workspace(lise, f"meetings/{meeting_id}/minutes"))
    response = submit(fresh_browser, page, "main form", {"body": "", "action": "publish"})
    assert error_for(fresh_browser.parse(response), "body") == "Feil: Skriv referatet"


# --- The crisis plan ------------------------------------------------------------------------------


def test_the_crisis_plan_with_whom_to_call_in_order(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "crisis-plan"))
    names = [i["value"] for i in page.select("input[name$='-name']")]
    assert names == ["Anders Holm", "Lise Aasen", "Legevakten", ""], "one empty row to add someone"
    response = submit(fresh_browser, page, "main form", {
        "warning_signs": "Jeg sover dårlig\nJeg svarer ikke på telefonen",
        "contacts-1-name": "", "contacts-1-relation": "", "contacts-1-phone": "", "contacts-1-when_to_call": "",
        "contacts-3-name": "Eva", "contacts-3-relation": "nabo", "contacts-3-phone": "900 00 000",
    })
    assert "Kriseplanen er lagret." in confirmation(fresh_browser, response)
    fresh_browser.login_as("patient")
    crisis = fresh_browser.get(f"/plan/{lise.public_id}/crisis-plan")
    callers = [li.select_one(".lead").get_text(strip=True) for li in crisis.select(".call-list li")]
    assert callers == ["Anders Holm", "Legevakten", "Eva"]
    assert "Jeg svarer ikke på telefonen" in text(crisis.select_one("main"))


def test_a_crisis_contact_without_a_phone_number_is_refused(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "crisis-plan"))
    response = submit(fresh_browser, page, "main form", {"contacts-3-name": "Eva", "contacts-3-phone": ""})
    page = fresh_browser.parse(response)
    assert error_for(page, "contacts-3-phone") == "Feil: Skriv telefonnummeret"
    assert page.select_one("#contacts-3-name")["value"] == "Eva"
    with fresh_browser.app.app_context():
        assert len(db.session.scalar(select(CrisisPlan).where(CrisisPlan.plan_id == lise.id)).contacts) == 3


def test_a_crisis_plan_with_every_row_filled_opens_again_without_an_empty_row(fresh_browser, lise):
    """Twelve people to call is the most the form takes; the editor then offers no thirteenth row
    (it used to add one anyway, and WTForms refused it with a 500)."""
    page = fresh_browser.get(workspace(lise, "crisis-plan"))
    rows = {}
    for row in range(MAX_CRISIS_CONTACTS):
        rows |= {f"contacts-{row}-name": f"Person {row + 1}", f"contacts-{row}-phone": f"900 00 {row:03d}"}
    response = submit(fresh_browser, page, "main form", rows)
    assert "Kriseplanen er lagret." in confirmation(fresh_browser, response)
    page = fresh_browser.get(workspace(lise, "crisis-plan"))
    names = [i["value"] for i in page.select("input[name$='-name']")]
    assert names == [f"Person {row + 1}" for row in range(MAX_CRISIS_CONTACTS)]


def test_a_crisis_contact_error_is_named_in_the_summary_at_its_field(fresh_browser, lise):
    """The summary used to print a row's errors as "{}" with a link to nowhere."""
    page = fresh_browser.get(workspace(lise, "crisis-plan"))
    response = submit(fresh_browser, page, "main form", {"contacts-3-name": "Eva", "contacts-3-phone": ""})
    links = [(a["href"], text(a)) for a in fresh_browser.parse(response).select(".error-summary a")]
    assert links == [("#contacts-3-phone", "Skriv telefonnummeret")]


def test_a_crisis_plan_posted_with_more_rows_than_the_form_has_changes_nothing(fresh_browser, lise):
    """A post made by hand (or by a stale page) with 13 people: WTForms kept the first 12 and
    dropped the rest without a word. Now the form comes back with the error and nothing is saved."""
    with fresh_browser.app.app_context():
        before = [(c.name, c.phone) for c in db.session.scalar(select(CrisisPlan).where(CrisisPlan.plan_id == lise.id)).contacts]
        changes_before = db.session.scalar(select(func.count(PlanChange.id)))
    page = fresh_browser.get(workspace(lise, "crisis-plan"))
    rows = {"warning_signs": "Endret tekst som ikke skal lagres"}
    for row in range(MAX_CRISIS_CONTACTS + 1):
        rows |= {f"contacts-{row}-name": f"Person {row + 1}", f"contacts-{row}-phone": f"900 00 {row:03d}"}
    response = submit(fresh_browser, page, "main form", rows)
    assert response.status_code == 200
    page = fresh_browser.parse(response)
    message = ("Listen kan ha høyst 12 personer. Skjemaet sendte flere, og ingenting er lagret. "
               "Se over listen og lagre på nytt.")
    assert [(a["href"], text(a)) for a in page.select(".error-summary a")] == [("#contacts", message)]
    assert page.select_one("#contacts").name == "h2", "the summary's link lands on the list"
    assert text(page.select_one("#contacts-error")) == f"Feil: {message}"
    assert page.title.get_text().startswith("Feil:")
    with fresh_browser.app.app_context():
        crisis = db.session.scalar(select(CrisisPlan).where(CrisisPlan.plan_id == lise.id))
        assert [(c.name, c.phone) for c in crisis.contacts] == before
        assert crisis.warning_signs != "Endret tekst som ikke skal lagres"
        assert db.session.scalar(select(func.count(PlanChange.id))) == changes_before


# --- Contacts and participants -------------------------------------------------------------------


def test_a_new_participant_shows_only_what_they_chose_to_share(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "contacts/new"))
    response = submit(fresh_browser, page, "main form", {
        "name": "Mona Berg", "role_title": "Sosionom", "phone": "33 44 55 66", "email": "mona@nordby.example",
        "show_email": "y", "show_phone": None,
    })
    assert "Mona Berg er lagt til i planen." in confirmation(fresh_browser, response)
    fresh_browser.login_as("patient")
    contacts = fresh_browser.get(f"/plan/{lise.public_id}/contacts")
    card = next(c for c in contacts.select(".contact-list li.card") if c.h2.get_text(strip=True) == "Mona Berg")
    assert card.select_one("a[href='mailto:mona@nordby.example']") is not None
    assert "33 44 55 66" not in str(contacts), "a phone number she chose not to show must not reach the page"


def test_a_participant_form_explains_what_is_wrong(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "contacts/new"))
    response = submit(fresh_browser, page, "main form", {
        "name": "", "email": "ikke-en-adresse", "show_phone": "y", "phone": "",
    })
    page = fresh_browser.parse(response)
    assert error_for(page, "name") == "Feil: Skriv navnet"
    assert error_for(page, "email") == "Feil: Skriv e-postadressen slik: navn@eksempel.no"
    assert "Skriv telefonnummeret" in error_for(page, "show_phone")
    assert page.select_one("#email")["value"] == "ikke-en-adresse"


def test_turning_off_a_shared_phone_number_hides_it(fresh_browser, lise):
    physio = first_id(fresh_browser.app, Participant, lise, Participant.name == "Ola Brekke")
    page = fresh_browser.get(workspace(lise, f"contacts/{physio}"))
    assert page.select_one("#show_phone").has_attr("checked")
    submit(fresh_browser, page, "main form", {"show_phone": None})
    fresh_browser.login_as("patient")
    assert "900 11 222" not in str(fresh_browser.get(f"/plan/{lise.public_id}/contacts"))


# --- Plan period and review --------------------------------------------------------------------------


def test_the_plan_period_and_next_review(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "about-this-plan"))
    review = dt.date.today() + dt.timedelta(days=14)
    response = submit(fresh_browser, page, "main form", {"next_review": review.isoformat()})
    assert "Planperioden og tekstene om planen er lagret." in confirmation(fresh_browser, response)
    fresh_browser.login_as("patient")
    overview = fresh_browser.get(f"/plan/{lise.public_id}/")
    assert overview.select_one("section[aria-labelledby=review-heading] time")["datetime"] == review.isoformat()


def test_a_plan_period_that_ends_before_it_starts_is_refused(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "about-this-plan"))
    response = submit(fresh_browser, page, "main form", {"period_start": "2026-05-01", "period_end": "2026-04-01"})
    assert error_for(fresh_browser.parse(response), "period_end") == "Feil: Sluttdatoen er før startdatoen. Rett en av datoene."


# --- Not shown to guardians (a child of 12–15) -----------------------------------------------------------


def make_emil(app, age: int):
    with app.app_context():
        emil = db.session.get(Person, person_by_key(app, "child").id)
        today = dt.date.today()
        emil.birth_date = today.replace(year=today.year - age) - dt.timedelta(days=1)
        db.session.commit()
    return plan_of(app, "child")


def test_the_box_appears_only_for_a_child_of_12_to_15(fresh_browser):
    app = fresh_browser.app
    fresh_browser.login_as("coordinator")
    for age, shown in ((10, False), (12, True), (15, True)):
        emil = make_emil(app, age)
        page = fresh_browser.get(workspace(emil, "goals/new"))
        assert (page.select_one("#hidden_from_guardians") is not None) is shown, f"age {age}"


def test_an_item_marked_not_shown_to_guardians_is_kept_from_them_but_not_from_the_child(fresh_browser):
    app = fresh_browser.app
    emil = make_emil(app, 13)
    fresh_browser.login_as("coordinator")
    page = fresh_browser.get(workspace(emil, "measures/new"))
    submit(fresh_browser, page, "main form", {"title": "Samtaler med helsesykepleier", "hidden_from_guardians": "y"})
    assert "Vises ikke for foresatte" in text(fresh_browser.get(workspace(emil)).select_one("#measures"))
    fresh_browser.login_as("child")
    assert "Samtaler med helsesykepleier" in str(fresh_browser.get(f"/plan/{emil.public_id}/measures"))
    fresh_browser.login_as("guardian1")
    assert "Samtaler med helsesykepleier" not in str(fresh_browser.get(f"/plan/{emil.public_id}/measures"))
    with app.app_context():
        change = db.session.scalar(select(PlanChange).where(PlanChange.item_label == "Samtaler med helsesykepleier"))
        assert change.hidden_from_guardians, "its history is kept from guardians too"


# --- Forms carry CSRF tokens --------------------------------------------------------------------------------


def test_every_workspace_form_carries_a_csrf_token(browser, sigrid_plan):
    browser.login_as("coordinator")
    for method, url in coordinator_urls(browser.app, sigrid_plan):
        if method != "GET":
            continue
        page = browser.get(url)
        for form in page.select("main form[method=post]"):
            assert form.select_one("input[name$=csrf_token]"), f"{url}: a form without a CSRF token"


def test_a_date_that_cannot_be_read_says_how_to_write_it(fresh_browser, lise):
    page = fresh_browser.get(workspace(lise, "meetings/new"))
    response = submit(fresh_browser, page, "main form", {"title": "Møte", "date": "neste tirsdag", "starts": "kl 10"})
    page = fresh_browser.parse(response)
    assert "Skriv den som dag, måned og år" in error_for(page, "date")
    assert "Skriv det som timer og minutter" in error_for(page, "starts")
    assert page.select_one("#date")["value"] == "neste tirsdag", "what was typed is kept"
