"""Meetings in the phone's calendar: the .ics download, and the private calendar address.

Calendar files are parsed with icalendar, as a calendar app would read them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import uuid

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from patient_app import create_app
from patient_app.times import OSLO
from patient_app.access_log import CALENDAR_FETCH_LOG_WINDOW
from patient_app.calendar_feeds import FEED_HISTORY
from patient_app.extensions import db
from patient_app.logs import JsonFormatter
from patient_app.models import AccessLogEntry, CalendarFeed, Meeting, Membership, Minutes, Participant, Role, Scope
from patient_app.models._base import utcnow
from tests.conftest import TEST_CONFIG
from tests.statements import recorded_statements
from tests.views.conftest import Browser, person_by_key, plan_of

HEALTH_TEXTS = (
    "Hvordan går treningen",  # the agenda
    "Sigrid går tur med hunden",  # published minutes
    "Utkast: ikke publisert",  # draft minutes
    "Møte i ansvarsgruppen",  # the title, which a coordinator may write anything in
    "Gjennomgang av planen",
    "Oppstartsmøte",
    "Lise Aasen",  # who is invited
)


# --- Helpers ---------------------------------------------------------------------------


def meetings_of(app, owner_key: str) -> list[Meeting]:
    plan = plan_of(app, owner_key)
    with app.app_context():
        return db.session.scalars(select(Meeting).where(Meeting.plan_id == plan.id).order_by(Meeting.starts_at)).all()


def next_meeting_of(app, owner_key: str) -> Meeting:
    now = utcnow()
    return next(m for m in meetings_of(app, owner_key) if m.starts_at > now and not m.cancelled)


def membership_of(app, person_key: str, owner_key: str) -> Membership:
    plan = plan_of(app, owner_key)
    person = person_by_key(app, person_key)
    with app.app_context():
        return db.session.scalar(select(Membership).where(Membership.plan_id == plan.id, Membership.person_id == person.id))


def change_membership(app, membership_id: int, **values) -> None:
    with app.app_context():
        membership = db.session.get(Membership, membership_id)
        for name, value in values.items():
            setattr(membership, name, value)
        db.session.commit()


def parse_calendar(response) -> Calendar:
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.get_data())


def events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


def uids(calendar: Calendar) -> set[str]:
    return {str(event["UID"]) for event in events(calendar)}


def uid_of(meeting: Meeting) -> str:
    return f"{meeting.public_id}@min-plan.no"


def turn_on_address(browser: Browser, plan) -> str:
    """Press "Slå på kalenderadresse" (or "Lag ny adresse") and read the address shown once."""
    page = browser.get(f"/plan/{plan.public_id}/calendar")
    response = browser.submit(page, f"form[action='/plan/{plan.public_id}/calendar']")
    assert response.status_code == 200
    shown = browser.parse(response)
    address = shown.select_one("#calendar-address")["value"]
    assert shown.select_one("a[href^='webcal://']")["href"] == "webcal://" + address.split("://", 1)[1]
    return address


def path_of(address: str) -> str:
    return "/" + address.split("://", 1)[1].split("/", 1)[1]


def token_of(address: str) -> str:
    return re.fullmatch(r".*/kalender/([^/]+)\.ics", address).group(1)


def poll(app, address: str):
    """A calendar app: no cookies, no login."""
    return app.test_client().get(path_of(address))


# --- One meeting as a file --------------------------------------------------------------


def test_the_patient_downloads_a_meeting_with_only_time_and_place(browser):
    meeting = next_meeting_of(browser.app, "patient")
    plan = plan_of(browser.app, "patient")
    browser.login_as("patient")
    response = browser.client.get(f"/plan/{plan.public_id}/meetings/{meeting.public_id}/calendar.ics")

    calendar = parse_calendar(response)
    day = meeting.starts_at.astimezone(OSLO).date()
    assert response.headers["Content-Disposition"] == f'attachment; filename="mote-{day:%Y-%m-%d}.ics"'
    assert response.headers["Cache-Control"] == "no-store"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["VERSION"]) == "2.0"
    assert "Min plan" in str(calendar["PRODID"])
    [event] = events(calendar)
    assert str(event["UID"]) == uid_of(meeting)
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTEND") == meeting.ends_at
    assert str(event["SUMMARY"]) == "Møte om planen din"
    assert str(event["LOCATION"]) == "Nordby helsehus, møterom 2"
    assert str(event["URL"]) == meeting.video_url
    assert str(event["STATUS"]) == "CONFIRMED"
    assert f"/plan/{plan.public_id}/meetings/{meeting.public_id}" in str(event["DESCRIPTION"])
    text = response.get_data(as_text=True)
    for health_text in HEALTH_TEXTS:
        assert health_text not in text


def test_the_file_is_the_same_event_each_time(browser):
    meeting = next_meeting_of(browser.app, "patient")
    plan = plan_of(browser.app, "patient")
    browser.login_as("patient")
    url = f"/plan/{plan.public_id}/meetings/{meeting.public_id}/calendar.ics"
    first, second = (events(parse_calendar(browser.client.get(url)))[0] for _ in range(2))
    assert first["UID"] == second["UID"]


def test_a_relative_with_the_meetings_gets_the_file_with_the_patients_first_name(browser):
    meeting = next_meeting_of(browser.app, "patient")
    plan = plan_of(browser.app, "patient")
    browser.login_as("relative")
    [event] = events(parse_calendar(browser.client.get(f"/plan/{plan.public_id}/meetings/{meeting.public_id}/calendar.ics")))
    assert str(event["SUMMARY"]) == "Møte om planen til Sigrid"


def test_the_summary_is_in_the_persons_language(browser):
    meeting = next_meeting_of(browser.app, "patient")
    plan = plan_of(browser.app, "patient")
    browser.login_as("patient")
    for language, summary in (("nn", "Møte om planen din"), ("en", "Meeting about your plan")):
        with browser.client.session_transaction() as session:
            session["locale"] = language
        [event] = events(parse_calendar(browser.client.get(f"/plan/{plan.public_id}/meetings/{meeting.public_id}/calendar.ics")))
        assert str(event["SUMMARY"]) == summary, language


def test_strangers_and_relatives_without_the_meetings_get_404(fresh_app):
    browser = Browser(fresh_app, fresh_app.test_client())
    meeting = next_meeting_of(fresh_app, "patient")
    plan = plan_of(fresh_app, "patient")
    url = f"/plan/{plan.public_id}/meetings/{meeting.public_id}/calendar.ics"
    browser.login_as("guardian1")  # Emil's mother: nothing to do with Sigrid's plan
    assert browser.client.get(url).status_code == 404
    change_membership(fresh_app, membership_of(fresh_app, "relative", "patient").id, scopes=Scope.MESSAGES.value)
    browser.login_as("relative")
    assert browser.client.get(url).status_code == 404
    assert browser.client.get(f"/plan/{plan.public_id}/meetings/{uuid.uuid4()}/calendar.ics").status_code == 404


def test_a_cancelled_meeting_is_marked_cancelled(fresh_app):
    meeting = next_meeting_of(fresh_app, "patient")
    with fresh_app.app_context():
        db.session.get(Meeting, meeting.id).cancelled = True
        db.session.commit()
    browser = Browser(fresh_app, fresh_app.test_client())
    browser.login_as("patient")
    plan = plan_of(fresh_app, "patient")
    [event] = events(parse_calendar(browser.client.get(f"/plan/{plan.public_id}/meetings/{meeting.public_id}/calendar.ics")))
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "Avlyst: Møte om planen din"


def test_upcoming_meetings_offer_the_file_on_the_list_and_the_meeting_page(browser):
    meeting = next_meeting_of(browser.app, "patient")
    plan = plan_of(browser.app, "patient")
    browser.login_as("patient")
    file_url = f"/plan/{plan.public_id}/meetings/{meeting.public_id}/calendar.ics"
    listing = browser.get(f"/plan/{plan.public_id}/meetings")
    links = [a for a in listing.select("a[href$='/calendar.ics']")]
    assert file_url in [a["href"] for a in links]
    assert all(a.get_text(" ", strip=True).startswith("Legg til i kalenderen") for a in links)
    past = [m for m in meetings_of(browser.app, "patient") if m.starts_at < utcnow()]
    assert not [a for a in links if any(str(m.public_id) in a["href"] for m in past)]
    page = browser.get(f"/plan/{plan.public_id}/meetings/{meeting.public_id}")
    assert page.select_one(f"a[href='{file_url}']").get_text(" ", strip=True).startswith("Legg til i kalenderen")
    assert listing.select_one(f"a[href='/plan/{plan.public_id}/calendar']") is not None


# --- The private address ------------------------------------------------------------------


def test_the_patient_turns_on_an_address_that_is_shown_once_and_stored_as_a_hash(fresh_app):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, "patient")
    browser.login_as("patient")
    before = browser.get(f"/plan/{plan.public_id}/calendar")
    assert "Alle som har adressen, kan se når og hvor møtene er." in before.get_text(" ", strip=True)
    assert before.select_one("#calendar-address") is None

    address = turn_on_address(browser, plan)
    token = token_of(address)
    assert len(token) >= 43 and address.startswith("http://localhost/kalender/")

    again = browser.get(f"/plan/{plan.public_id}/calendar")
    assert token not in str(again)
    assert "Kalenderadressen er slått på." in again.get_text(" ", strip=True)
    with fresh_app.app_context():
        [feed] = db.session.scalars(select(CalendarFeed)).all()
        assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert feed.membership.role is Role.OWNER


def test_the_feed_holds_the_meetings_the_patient_sees_and_sets_no_cookie(fresh_app):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, "patient")
    browser.login_as("patient")
    address = turn_on_address(browser, plan)
    response = poll(fresh_app, address)
    calendar = parse_calendar(response)
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert str(calendar["METHOD"]) == "PUBLISH"
    # RFC 5546, 3.2.1: PUBLISH needs an ORGANIZER in each event; the service's, never a person's.
    assert {str(event["ORGANIZER"]) for event in events(calendar)} == {"mailto:ikke-svar@min-plan.no"}
    assert {event["ORGANIZER"].params["CN"] for event in events(calendar)} == {"Min plan"}
    # What calendar apps see of the rate limit: nothing, until they are refused.
    assert not [name for name in response.headers.keys() if name.lower().startswith(("x-ratelimit", "retry-after"))]
    since = utcnow() - FEED_HISTORY
    assert uids(calendar) == {uid_of(m) for m in meetings_of(fresh_app, "patient") if m.starts_at >= since}
    text = response.get_data(as_text=True)
    for health_text in HEALTH_TEXTS:
        assert health_text not in text


def test_the_feed_leaves_out_meetings_older_than_its_window_and_keeps_every_upcoming_one(fresh_app):
    """A calendar synced to a cloud should hold as little of the plan's history as it needs."""
    plan = plan_of(fresh_app, "patient")
    now = utcnow()
    ages = {"200 days ago": -200, "just outside": -FEED_HISTORY.days - 1, "just inside": -FEED_HISTORY.days + 1,
            "10 days ago": -10, "in 5 days": 5, "in 400 days": 400}
    with fresh_app.app_context():
        added = {name: Meeting(plan_id=plan.id, title="Møte", starts_at=now + dt.timedelta(days=days))
                 for name, days in ages.items()}
        db.session.add_all(added.values())
        db.session.commit()
        uid = {name: uid_of(meeting) for name, meeting in added.items()}
    browser = Browser(fresh_app, fresh_app.test_client())
    browser.login_as("patient")
    calendar = parse_calendar(poll(fresh_app, turn_on_address(browser, plan)))
    kept = {uid[name] for name in ("just inside", "10 days ago", "in 5 days", "in 400 days")}
    assert kept <= uids(calendar)
    assert not {uid["200 days ago"], uid["just outside"]} & uids(calendar)
    page = browser.get(f"/plan/{plan.public_id}/calendar").get_text(" ", strip=True)
    assert f"Kalenderen får alle møtene som kommer, og møtene fra de siste {FEED_HISTORY.days} dagene." in page
    # The meetings page still lists them all: only the calendar forgets.
    listing = browser.get(f"/plan/{plan.public_id}/meetings")
    assert len(listing.select("article.card")) == len(meetings_of(fresh_app, "patient"))


def statements_for(app, address) -> list[str]:
    with app.app_context():
        engine = db.engine
    with recorded_statements(engine) as statements:
        assert poll(app, address).status_code == 200
    return statements


# A poll that writes nothing: the address (one statement), its membership with the plan
# and the person (one, joined), the meetings (one: an event needs no invitees or minutes).
FEED_STATEMENTS = 3


def test_the_feed_costs_the_same_few_statements_for_a_long_plan(fresh_app):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, "patient")
    browser.login_as("patient")
    address = turn_on_address(browser, plan)
    poll(fresh_app, address)  # the first poll notes the address's use
    small = statements_for(fresh_app, address)
    with fresh_app.app_context():
        participants = db.session.scalars(select(Participant).where(Participant.plan_id == plan.id)).all()
        db.session.add_all(
            Meeting(plan_id=plan.id, title=f"Møte {n}", starts_at=utcnow() + dt.timedelta(days=n - 150),
                    invitees=participants[: 1 + n % 3])
            for n in range(300)
        )
        db.session.commit()
    large = statements_for(fresh_app, address)
    assert len(small) == len(large) == FEED_STATEMENTS, large
    assert all(s.lstrip().upper().startswith("SELECT") for s in large)


def test_replacing_the_address_stops_the_old_one_and_turning_off_stops_both(fresh_app):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, "patient")
    browser.login_as("patient")
    old = turn_on_address(browser, plan)
    new = turn_on_address(browser, plan)  # "Lag ny adresse" posts to the same place
    assert old != new
    assert poll(fresh_app, old).status_code == 404
    assert poll(fresh_app, new).status_code == 200

    page = browser.get(f"/plan/{plan.public_id}/calendar")
    response = browser.submit(page, f"form[action='/plan/{plan.public_id}/calendar/turn-off']")
    assert response.status_code == 200
    assert "Kalenderadressen er slått av. Den virker ikke lenger." in browser.parse(response).get_text(" ", strip=True)
    assert poll(fresh_app, new).status_code == 404
    assert browser.get(f"/plan/{plan.public_id}/calendar").select_one(
        f"form[action='/plan/{plan.public_id}/calendar/turn-off']") is None


def test_a_relatives_feed_follows_the_grant_and_ends_with_it(fresh_app):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, "patient")
    membership = membership_of(fresh_app, "relative", "patient")
    browser.login_as("relative")
    address = turn_on_address(browser, plan)
    [summary] = {str(e["SUMMARY"]) for e in events(parse_calendar(poll(fresh_app, address)))}
    assert summary == "Møte om planen til Sigrid"

    change_membership(fresh_app, membership.id, scopes=Scope.MESSAGES.value)  # narrowed: no meetings
    assert poll(fresh_app, address).status_code == 404
    change_membership(fresh_app, membership.id, scopes=Scope.MEETINGS_AND_CONTACTS.value)
    assert poll(fresh_app, address).status_code == 200

    yesterday = dt.date.today() - dt.timedelta(days=2)
    change_membership(fresh_app, membership.id, valid_until=yesterday)  # expired
    assert poll(fresh_app, address).status_code == 404
    change_membership(fresh_app, membership.id, valid_until=None)
    assert poll(fresh_app, address).status_code == 200

    change_membership(fresh_app, membership.id, revoked_at=utcnow())  # withdrawn
    assert poll(fresh_app, address).status_code == 404
    # Given again later (sharing.grant_relative starts the grant anew): the old address stays dead.
    change_membership(fresh_app, membership.id, revoked_at=None, created_at=utcnow())
    assert poll(fresh_app, address).status_code == 404


def test_a_relative_without_the_meetings_cannot_have_an_address(fresh_app):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, "patient")
    change_membership(fresh_app, membership_of(fresh_app, "relative", "patient").id, scopes=Scope.MESSAGES.value)
    browser.login_as("relative")
    assert browser.client.get(f"/plan/{plan.public_id}/calendar").status_code == 404
    # A form posted anyway, with a valid CSRF token from a page the relative may see, changes nothing.
    token = browser.get(f"/plan/{plan.public_id}/").select_one("input[name=csrf_token]")["value"]
    assert browser.client.post(f"/plan/{plan.public_id}/calendar", data={"csrf_token": token}).status_code == 404
    with fresh_app.app_context():
        assert db.session.scalars(select(CalendarFeed)).all() == []


def test_a_guardians_feed_leaves_out_what_the_child_keeps_from_guardians(fresh_app):
    plan = plan_of(fresh_app, "child")
    with fresh_app.app_context():
        hidden = Meeting(plan_id=plan.id, title="Samtale med helsesykepleier", starts_at=utcnow() + dt.timedelta(days=4),
                         hidden_from_guardians=True)
        db.session.add(hidden)
        db.session.commit()
        hidden_uid = uid_of(hidden)
    browser = Browser(fresh_app, fresh_app.test_client())
    browser.login_as("guardian1")
    guardians = uids(parse_calendar(poll(fresh_app, turn_on_address(browser, plan))))
    browser.login_as("child")
    childs = uids(parse_calendar(poll(fresh_app, turn_on_address(browser, plan))))
    assert hidden_uid in childs
    assert guardians == childs - {hidden_uid}
    listing = browser.get(f"/plan/{plan.public_id}/meetings")
    assert len(guardians) == len(listing.select("article.card")) - 1


def test_the_coordinator_is_not_offered_an_address(browser):
    plan = plan_of(browser.app, "patient")
    browser.login_as("coordinator")
    assert browser.client.get(f"/plan/{plan.public_id}/calendar").status_code == 404
    listing = browser.get(f"/plan/{plan.public_id}/meetings")
    assert listing.select_one(f"a[href='/plan/{plan.public_id}/calendar']") is None


def test_every_address_that_opens_nothing_gets_the_same_answer(fresh_app):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, "patient")
    browser.login_as("relative")
    withdrawn = turn_on_address(browser, plan)
    change_membership(fresh_app, membership_of(fresh_app, "relative", "patient").id, revoked_at=utcnow())
    browser.login_as("patient")
    replaced = turn_on_address(browser, plan)
    turn_on_address(browser, plan)
    answers = {
        name: poll(fresh_app, address)
        for name, address in {
            "withdrawn grant": withdrawn,
            "replaced": replaced,
            "unknown": "http://localhost/kalender/" + "A" * 43 + ".ics",
            "malformed": "http://localhost/kalender/x.ics",
        }.items()
    }
    shapes = {name: (r.status_code, r.get_data(), r.headers["Content-Type"], "Set-Cookie" in r.headers)
              for name, r in answers.items()}
    assert set(shapes.values()) == {(404, b"Not found\n", "text/plain; charset=utf-8", False)}, shapes


def test_the_last_use_is_written_at_most_once_an_hour(fresh_app):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, "patient")
    browser.login_as("patient")
    address = turn_on_address(browser, plan)

    def last_used():
        with fresh_app.app_context():
            return db.session.scalar(select(CalendarFeed.last_used_at).where(CalendarFeed.revoked_at.is_(None)))

    assert last_used() is None
    poll(fresh_app, address)
    first = last_used()
    assert first is not None
    poll(fresh_app, address)
    assert last_used() == first
    with fresh_app.app_context():
        feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None)))
        feed.last_used_at = utcnow() - dt.timedelta(minutes=61)
        db.session.commit()
    poll(fresh_app, address)
    assert last_used() > first


def test_the_feed_speaks_the_language_the_person_chose(fresh_app):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, "patient")
    browser.login_as("relative")
    address = turn_on_address(browser, plan)
    relative = person_by_key(fresh_app, "relative")
    with fresh_app.app_context():
        db.session.merge(relative).preferred_locale = "en"
        db.session.commit()
    summaries = {str(e["SUMMARY"]) for e in events(parse_calendar(poll(fresh_app, address)))}
    assert summaries == {"Meeting about Sigrid's plan"}


def test_the_feed_is_rate_limited_per_address(fresh_app):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, "patient")
    browser.login_as("patient")
    address = turn_on_address(browser, plan)
    limited = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_app.config["SQLALCHEMY_DATABASE_URI"],
                          "RATELIMIT_ENABLED": True, "CALENDAR_FEED_RATE_LIMIT": "3 per hour"})
    try:
        answers = [poll(limited, address) for _ in range(4)]
        assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
        # Calendar apps see nothing of the limit until refused (issue: Retry-After on every 200).
        assert not [name for answer in answers[:3] for name in answer.headers.keys()
                    if name.lower().startswith(("x-ratelimit", "retry-after"))]
        assert int(answers[3].headers["Retry-After"]) > 0
        assert poll(limited, turn_on_address(browser, plan)).status_code == 200, "the limit is per address"
    finally:
        with limited.app_context():
            db.engine.dispose()


# --- Fetches on the patient's access log ("Hvem har sett planen") ---------------------------


def access_log_rows(browser: Browser, owner_key: str, plan) -> list[str]:
    browser.login_as(owner_key)
    page = browser.get(f"/plan/{plan.public_id}/access-log")
    return [" ".join(row.get_text(" ").split()) for row in page.select("table.log tbody tr")]


def set_feed(app, **values) -> None:
    with app.app_context():
        for feed in db.session.scalars(select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None))):
            for name, value in values.items():
                setattr(feed, name, value)
        db.session.commit()


@pytest.mark.parametrize("viewer, owner, shown_as", [
    ("relative", "patient", "Anders Holm (pårørende)"),
    ("guardian1", "child", "Marte Strand (foresatt)"),
])
def test_someone_elses_calendar_fetching_the_meetings_shows_once_a_day_on_the_access_log(
        fresh_app, viewer, owner, shown_as):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, owner)
    browser.login_as(viewer)
    address = turn_on_address(browser, plan)  # opening the calendar page is logged as before
    before = access_log_rows(browser, owner, plan)

    assert poll(fresh_app, address).status_code == 200
    after = access_log_rows(browser, owner, plan)
    assert after[1:] == before, "one new row, at the top"
    assert shown_as in after[0] and after[0].endswith("Kalender")
    page = browser.get(f"/plan/{plan.public_id}/access-log").get_text(" ", strip=True)
    assert "«Kalender» betyr at personen har åpnet siden om kalenderen, eller at kalenderen deres har hentet" in page

    assert poll(fresh_app, address).status_code == 200  # the calendar polls again within the day
    set_feed(fresh_app, last_used_at=utcnow() - dt.timedelta(hours=2))  # even when the last use is noted anew
    assert poll(fresh_app, address).status_code == 200
    assert access_log_rows(browser, owner, plan) == after

    set_feed(fresh_app, access_logged_at=utcnow() - CALENDAR_FETCH_LOG_WINDOW - dt.timedelta(minutes=1))
    assert poll(fresh_app, address).status_code == 200
    assert len(access_log_rows(browser, owner, plan)) == len(after) + 1, "a day later, one more"


def test_the_patients_own_calendar_fetching_is_not_logged(fresh_app):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, "patient")
    browser.login_as("patient")
    address = turn_on_address(browser, plan)
    before = access_log_rows(browser, "patient", plan)
    assert poll(fresh_app, address).status_code == 200
    assert access_log_rows(browser, "patient", plan) == before
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count(AccessLogEntry.id)).where(AccessLogEntry.part == "calendar")) == 0


def test_a_logged_fetch_costs_one_update_and_one_insert(fresh_app):
    """The address's last use and the access log row go in one commit with the poll's reads."""
    browser = Browser(fresh_app, fresh_app.test_client())
    browser.login_as("relative")
    statements = statements_for(fresh_app, turn_on_address(browser, plan_of(fresh_app, "patient")))
    writes = [s.lstrip().split()[0:3] for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert sorted(writes) == [["INSERT", "INTO", "access_log_entry"], ["UPDATE", "calendar_feed", "SET"]], statements
    assert len(statements) == FEED_STATEMENTS + 2


# --- The token stays out of logs -----------------------------------------------------------


def test_the_token_reaches_no_log_record(fresh_app, caplog):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, "patient")
    browser.login_as("patient")
    with caplog.at_level(logging.DEBUG):
        address = turn_on_address(browser, plan)
        poll(fresh_app, address)
        turn_on_address(browser, plan)
        poll(fresh_app, address)  # replaced: 404
    token = token_of(address)
    turned_on = [r for r in caplog.records if r.getMessage() == "calendar address turned on"]
    assert len(turned_on) == 2, "the test must see the records the app writes about addresses"
    assert not [r for r in caplog.records if token in r.getMessage() or token in str(vars(r))]


@pytest.mark.parametrize("logger", ["werkzeug", "gunicorn.access"])
def test_request_lines_are_redacted_where_they_are_logged(app, caplog, logger):
    """The development server's request line, as every handler (tests/conftest.py's too) receives it."""
    token = "Zk3v" * 11
    with caplog.at_level(logging.INFO, logger=logger):
        logging.getLogger(logger).info('%s - - [23/Nov/2026 01:00:00] "%s" %s -', "127.0.0.1",
                                       f"GET /kalender/{token}.ics HTTP/1.1", "200")
    [record] = [r for r in caplog.records if r.name == logger]
    assert record.getMessage() == '127.0.0.1 - - [23/Nov/2026 01:00:00] "GET /kalender/[fjernet].ics HTTP/1.1" 200 -'


def test_request_logs_hide_the_calendar_address():
    token = "Zk3v" * 11
    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1,
        '%s - - [23/Nov/2026 01:00:00] "%s" %s -', ("127.0.0.1", f"GET /kalender/{token}.ics HTTP/1.1", "200"), None,
    )
    line = JsonFormatter().format(record)
    assert token not in line
    assert "GET /kalender/[fjernet].ics HTTP/1.1" in line
