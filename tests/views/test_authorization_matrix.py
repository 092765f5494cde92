"""Every route × every kind of person: allowed or refused exactly as the policy says.

The expected table below is written out by hand, not computed from
patient_app.access, so a change to the policy has to change this table too.
A new route is picked up from the URL map; a route whose parameters this test
cannot fill fails until FILLERS learns them.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from patient_app import create_app
from patient_app.access import Part, today_in_oslo
from patient_app.access_calendar import calendar_token_hash
from patient_app.database import Base
from patient_app.extensions import db
from patient_app.models import (
    CalendarFeed,
    Goal,
    Measure,
    Meeting,
    CoordinatingUnit,
    Membership,
    Message,
    Municipality,
    MessageThread,
    Participant,
    Person,
    Plan,
    Role,
    Scope,
    ServiceDecision,
    StaffMembership,
    StaffRole,
)
from patient_app.models._base import utcnow
from tests.conftest import TEST_CONFIG, _database_url
from tests.views.conftest import Browser

ALL = frozenset(Part)
EXPECTED_PARTS = {
    "anonymous": frozenset(),
    "patient": ALL,
    "other_patient": frozenset(),
    "relative_meetings_and_contacts": {Part.OVERVIEW, Part.MEETINGS, Part.CALENDAR, Part.CONTACTS},
    "relative_whole_plan": {
        Part.OVERVIEW, Part.GOALS, Part.MEASURES, Part.DECISIONS, Part.MEETINGS, Part.CALENDAR,
        Part.CRISIS_PLAN, Part.CONTACTS, Part.CONSENT,
    },
    "relative_messages": {Part.OVERVIEW, Part.MESSAGES},
    "relative_expired": frozenset(),
    "relative_withdrawn": frozenset(),
    # Till the child is 16 the guardians decide who else sees the plan (SHARING included).
    "guardian": ALL,
    "guardian_child_13_hidden_item": ALL,
    "guardian_child_turns_16_tomorrow": ALL,
    "guardian_child_turns_16_today": frozenset(),
    "coordinator_of_this_plan": ALL - {Part.SHARING, Part.ACCESS_LOG, Part.CALENDAR},
    "coordinator_of_another_plan": frozenset(),
    # Staff of the plan's municipality and of another (build_world): a staff role opens no plan.
    "administrator_of_this_municipality": frozenset(),
    "administrator_of_another_municipality": frozenset(),
    "administrator_ended": frozenset(),
}
ROLES = list(EXPECTED_PARTS)

# Which part each page of a plan belongs to, written out by hand: a route that declares
# another part in the code (say the print page as GOALS, which a relative with the whole
# plan may see) fails here, and the matrix below tests each role against this table,
# not against what the route says about itself.
COORDINATOR = "coordinator"
ROUTE_PARTS = {
    "/coordinator/plan/<uuid:plan_id>/": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/about-this-plan": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/contacts/<uuid:participant_id>": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/contacts/new": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/crisis-plan": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/decisions/<uuid:decision_id>": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/decisions/new": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/goals/<uuid:goal_id>": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/goals/new": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/measures/<uuid:measure_id>": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/measures/new": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/meetings/<uuid:meeting_id>": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/meetings/<uuid:meeting_id>/minutes": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/meetings/new": COORDINATOR,
    "/coordinator/plan/<uuid:plan_id>/proposals": COORDINATOR,
    "/plan/<uuid:plan_id>/": Part.OVERVIEW,
    "/plan/<uuid:plan_id>/about-this-plan": Part.CONSENT,
    "/plan/<uuid:plan_id>/access-log": Part.ACCESS_LOG,
    "/plan/<uuid:plan_id>/calendar": Part.CALENDAR,
    "/plan/<uuid:plan_id>/changes": Part.OVERVIEW,
    "/plan/<uuid:plan_id>/changes/<uuid:item_id>": Part.OVERVIEW,
    "/plan/<uuid:plan_id>/contacts": Part.CONTACTS,
    "/plan/<uuid:plan_id>/crisis-plan": Part.CRISIS_PLAN,
    "/plan/<uuid:plan_id>/decisions": Part.DECISIONS,
    "/plan/<uuid:plan_id>/goals": Part.GOALS,
    "/plan/<uuid:plan_id>/measures": Part.MEASURES,
    "/plan/<uuid:plan_id>/meetings": Part.MEETINGS,
    "/plan/<uuid:plan_id>/meetings/<uuid:meeting_id>": Part.MEETINGS,
    "/plan/<uuid:plan_id>/meetings/<uuid:meeting_id>/calendar.ics": Part.MEETINGS,
    "/plan/<uuid:plan_id>/messages": Part.MESSAGES,
    "/plan/<uuid:plan_id>/messages/<uuid:thread_id>": Part.MESSAGES,
    "/plan/<uuid:plan_id>/messages/new": Part.MESSAGES,
    "/plan/<uuid:plan_id>/print": Part.PRINT,
    "/plan/<uuid:plan_id>/proposals": Part.PROPOSALS,
    "/plan/<uuid:plan_id>/proposals/new": Part.PROPOSALS,
    "/plan/<uuid:plan_id>/sharing": Part.SHARING,
    "/plan/<uuid:plan_id>/sharing/<uuid:membership_id>/withdraw": Part.SHARING,
    "/plan/<uuid:plan_id>/sharing/new": Part.SHARING,
}


def years_ago(years: int, today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


@dataclass
class World:
    app: object
    people: dict  # role -> Person or None
    plans: dict  # role -> the Plan that role is tested against
    hidden_meeting: object
    items: dict  # plan id -> {param: public id}


def build_world(app) -> World:
    today = today_in_oslo()
    session = db.session
    counter = iter(range(10_000))

    def person(name, born=dt.date(1980, 1, 1)):
        p = Person(name=name, pid_hash=f"matrix-{next(counter)}", birth_date=born)
        session.add(p)
        return p

    def plan_for(owner):
        plan = Plan(owner=owner, next_review=today)
        session.add(plan)
        session.flush()
        goal = Goal(plan_id=plan.id, title="Et mål")
        meeting = Meeting(plan_id=plan.id, title="Et møte", starts_at=utcnow() + dt.timedelta(days=3))
        session.add_all([goal, meeting])
        session.add_all([
            Measure(plan_id=plan.id, title="Et tiltak"),
            ServiceDecision(plan_id=plan.id, service="En tjeneste"),
            Participant(plan_id=plan.id, name="En deltaker"),
        ])
        thread = MessageThread(plan_id=plan.id, subject="Et spørsmål", started_by_id=owner.id)
        session.add(thread)
        session.add(Message(thread=thread, author_id=owner.id, author_role=Role.OWNER, body="Hei",
                            idempotency_key=uuid.uuid4()))
        return plan

    def member(plan, who, role, scopes=(), **extra):
        m = Membership(plan_id=plan.id, person_id=who.id, role=role, scopes=" ".join(s.value for s in scopes), **extra)
        session.add(m)
        return m

    people = {role: person(role) for role in ROLES if role != "anonymous"}
    people["anonymous"] = None
    session.flush()
    adult = plan_for(people["patient"])
    other = plan_for(people["other_patient"])
    child = plan_for(person("Barn", years_ago(10, today)))
    teen = plan_for(person("Ungdom", years_ago(13, today)))
    turning_16 = plan_for(person("Fyller 16", years_ago(16, today)))
    turning_16_tomorrow = plan_for(person("Fyller 16 i morgen", years_ago(16, today) + dt.timedelta(days=1)))
    session.flush()

    member(adult, people["patient"], Role.OWNER)
    member(other, people["other_patient"], Role.OWNER)
    member(adult, people["relative_meetings_and_contacts"], Role.RELATIVE, [Scope.MEETINGS_AND_CONTACTS])
    member(adult, people["relative_whole_plan"], Role.RELATIVE, [Scope.WHOLE_PLAN])
    member(adult, people["relative_messages"], Role.RELATIVE, [Scope.MESSAGES])
    member(adult, people["relative_expired"], Role.RELATIVE, [Scope.WHOLE_PLAN], valid_until=today - dt.timedelta(days=1))
    member(adult, people["relative_withdrawn"], Role.RELATIVE, [Scope.WHOLE_PLAN], revoked_at=utcnow())
    member(child, people["guardian"], Role.GUARDIAN)
    member(teen, people["guardian_child_13_hidden_item"], Role.GUARDIAN)
    member(turning_16, people["guardian_child_turns_16_today"], Role.GUARDIAN)
    member(turning_16_tomorrow, people["guardian_child_turns_16_tomorrow"], Role.GUARDIAN)
    # Someone the guardians gave access to each child's plan: the withdraw page has a grant to show.
    family_friend = person("Familievenn")
    session.flush()
    for plan in (child, teen, turning_16, turning_16_tomorrow):
        member(plan, family_friend, Role.RELATIVE, [Scope.MEETINGS_AND_CONTACTS])
    member(adult, people["coordinator_of_this_plan"], Role.COORDINATOR)
    member(other, people["coordinator_of_another_plan"], Role.COORDINATOR)
    session.flush()

    add_municipalities(people, adult, other)

    hidden = Meeting(plan_id=teen.id, title="Skjult møte", starts_at=utcnow() + dt.timedelta(days=5), hidden_from_guardians=True)
    session.add(hidden)
    session.commit()

    plans = {role: adult for role in ROLES}
    plans.update(guardian=child, guardian_child_13_hidden_item=teen, guardian_child_turns_16_today=turning_16,
                 guardian_child_turns_16_tomorrow=turning_16_tomorrow)
    return World(app=app, people=people, plans=plans, hidden_meeting=hidden, items={})


THIS_MUNICIPALITY, ANOTHER_MUNICIPALITY = "9990", "9991"  # fictional numbers


def add_municipalities(people: dict, adult: Plan, other: Plan) -> None:
    """The adult's plan in one municipality and the other patient's in another, each with an
    administrator and a coordinator on its staff; the plan's coordinator is staff of the first."""
    this = Municipality(number=THIS_MUNICIPALITY, name="Denne kommune", unit=CoordinatingUnit(name="Enheten her"))
    another = Municipality(number=ANOTHER_MUNICIPALITY, name="Annen kommune", unit=CoordinatingUnit(name="Enheten der"))
    db.session.add_all([this, another])
    db.session.flush()
    adult.municipality_id, other.municipality_id = this.id, another.id

    def staff(municipality, who, role, **extra):
        db.session.add(StaffMembership(municipality_id=municipality.id, person_id=who.id, role=role, **extra))

    staff(this, people["administrator_of_this_municipality"], StaffRole.ADMINISTRATOR)
    staff(this, people["administrator_ended"], StaffRole.ADMINISTRATOR, ended_at=utcnow())
    staff(this, people["coordinator_of_this_plan"], StaffRole.COORDINATOR)
    staff(another, people["administrator_of_another_municipality"], StaffRole.ADMINISTRATOR)
    staff(another, people["coordinator_of_another_plan"], StaffRole.COORDINATOR)


def item_ids(world: World, plan: Plan, role: str) -> dict:
    """Ids of real items in the plan under test, for URL parameters other than plan_id."""
    meetings = db.session.scalars(select(Meeting).where(Meeting.plan_id == plan.id)).all()
    meeting = world.hidden_meeting if role == "guardian_child_13_hidden_item" else next(
        m for m in meetings if not m.hidden_from_guardians
    )
    relative = db.session.scalars(
        select(Membership).where(Membership.plan_id == plan.id, Membership.role == Role.RELATIVE, Membership.revoked_at.is_(None))
    ).first()
    def first(model):
        return db.session.scalars(select(model.public_id).where(model.plan_id == plan.id)).first()

    return {
        "plan_id": plan.public_id,
        "meeting_id": meeting.public_id,
        "goal_id": first(Goal),
        "measure_id": first(Measure),
        "decision_id": first(ServiceDecision),
        "participant_id": first(Participant),
        "thread_id": first(MessageThread),
        "item_id": first(Goal),  # history of an item: empty, never 404, for those who may not see it
        "membership_id": relative.public_id if relative else "00000000-0000-4000-8000-000000000000",
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    url, drop = _database_url(tmp_path_factory)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    # No app context may stay open around the requests: Flask would reuse it,
    # and with it the logged-in user cached in g.
    with app.app_context():
        Base.metadata.create_all(db.engine)
        world = build_world(app)
        world.items = {role: item_ids(world, world.plans[role], role) for role in ROLES}
    yield world
    with app.app_context():
        db.engine.dispose()
    drop()


def plan_routes(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "plan_id" in rule.arguments and "GET" in rule.methods
    ]


def test_each_plan_page_declares_the_part_written_here(world):
    declared = {}
    for rule in plan_routes(world.app):
        access_rule = world.app.view_functions[rule.endpoint].access_rule
        declared[rule.rule] = COORDINATOR if access_rule == "coordinator" else Part(access_rule.split(":", 1)[1])
    assert declared == ROUTE_PARTS


def expected_allowed(world: World, rule, role: str) -> bool:
    part = ROUTE_PARTS[rule.rule]
    if part == COORDINATOR:
        return role == "coordinator_of_this_plan"
    if role == "guardian_child_13_hidden_item" and "meeting_id" in rule.arguments:
        return False  # the child asked that this meeting is not shown to guardians
    return part in EXPECTED_PARTS[role]


def url_for_rule(rule, ids: dict) -> str:
    def fill(match):
        name = match.group(1).split(":")[-1]
        assert name in ids, f"{rule.rule}: teach tests/views/test_authorization_matrix.py to fill <{name}>"
        return str(ids[name])

    return re.sub(r"<([^>]+)>", fill, rule.rule)


@pytest.mark.parametrize("role", ROLES)
def test_every_plan_route_for_every_role(world, role):
    app = world.app
    client = app.test_client()
    browser = Browser(app, client)
    if world.people[role] is not None:
        browser.login_as_person(world.people[role])
    ids = world.items[role]
    wrong = []
    routes = plan_routes(app)
    assert len(routes) >= 10
    for rule in routes:
        url = url_for_rule(rule, ids)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            refused = response.status_code == 404 or (
                response.status_code == 302 and response.headers["Location"].startswith("/login")
            )
            allowed = response.status_code < 400 and not refused
            if expected_allowed(world, rule, role) != allowed:
                wrong.append(f"{role} GET {url} {headers or ''} -> {response.status_code}")
    assert not wrong, "The access policy and the expected table disagree:\n" + "\n".join(wrong)


def test_relatives_see_no_counts_or_links_to_parts_not_granted(world):
    client = world.app.test_client()
    browser = Browser(world.app, client)
    browser.login_as_person(world.people["relative_meetings_and_contacts"])
    plan = world.plans["relative_meetings_and_contacts"]
    page = browser.get(f"/plan/{plan.public_id}/")
    hrefs = [a["href"] for a in page.select("a[href]")]
    for forbidden in ("goals", "measures", "decisions", "crisis-plan", "print", "sharing", "access-log", "messages"):
        assert not [h for h in hrefs if f"/{forbidden}" in h], f"a link to {forbidden} was shown to a relative without it"


# --- The private calendar address: no session, the token stands in for the login --------


def calendar_feed_token(world: World, role: str) -> str:
    """A calendar address for the role's membership of the plan under test, as if made while
    the membership was active (withdrawn and expired ones too); a random token for people without one."""
    token = secrets.token_urlsafe(32)
    person = world.people[role]
    if person is None:
        return token
    membership = db.session.scalars(
        select(Membership).where(Membership.plan_id == world.plans[role].id, Membership.person_id == person.id)
    ).first()
    if membership is not None:
        db.session.add(CalendarFeed(membership_id=membership.id, token_hash=calendar_token_hash(token)))
        db.session.commit()
    return token


@pytest.mark.parametrize("role", ROLES)
def test_the_calendar_address_for_every_role(world, role):
    from icalendar import Calendar

    with world.app.app_context():
        token = calendar_feed_token(world, role)
        meetings = db.session.scalars(select(Meeting).where(Meeting.plan_id == world.plans[role].id)).all()
        # The child of 13 keeps one meeting from the guardian; everyone else here sees every meeting.
        expected = {f"{m.public_id}@min-plan.no" for m in meetings if m.id != world.hidden_meeting.id}
    response = world.app.test_client().get(f"/kalender/{token}.ics")
    if Part.CALENDAR not in EXPECTED_PARTS[role]:
        assert response.status_code == 404, f"{role}: a calendar address answered {response.status_code}"
        return
    assert response.status_code == 200, f"{role}: their calendar address answered {response.status_code}"
    events = Calendar.from_ical(response.get_data()).walk("VEVENT")
    assert {str(event["UID"]) for event in events} == expected, role



# The provider's logout routes answer the provider, not a person: the same for every
# role, and a request that proves nothing ends no session, the caller's own included.
# (In this world no provider answers discovery, so the front-channel cannot check iss.)
PROVIDER_LOGOUT_EXPECTED = {
    ("GET", "/logout/frontchannel?iss=https%3A%2F%2Fangriper.example&sid=x"): 503,
    ("GET", "/logout/frontchannel"): 503,
    ("POST", "/logout/backchannel"): 400,
    ("POST", "/logout/backchannel?logout_token=not-a-jwt"): 400,
}


@pytest.mark.parametrize("role", ROLES)
def test_the_provider_logout_routes_for_every_role(world, role):
    client = world.app.test_client()
    browser = Browser(world.app, client)
    if world.people[role] is not None:
        browser.login_as_person(world.people[role])
    plans_before = client.get("/plans").status_code
    for (method, url), expected in PROVIDER_LOGOUT_EXPECTED.items():
        assert client.open(url, method=method).status_code == expected, f"{role} {method} {url}"
    assert client.get("/plans").status_code == plans_before, f"{role} was signed out by a request that proved nothing"


def synthetic_number_born(born: dt.date) -> str:
    from patient_app.identity_numbers import make_synthetic

    # The individual digits give the century: 000–499 for the 1900s, 500–999 for the 2000s.
    for individual in range(500, 600) if born.year >= 2000 else range(100, 200):
        try:
            return make_synthetic(born, individual)
        except ValueError:
            continue
    raise AssertionError("no synthetic number for that day")


def test_the_patient_cannot_grant_access_to_a_17_year_old(world):
    """Row: grant to a 17-year-old (18 tomorrow) is refused, at the number, and nothing changes."""
    today = today_in_oslo()
    seventeen = synthetic_number_born(years_ago(18, today) + dt.timedelta(days=1))
    browser = Browser(world.app, world.app.test_client())
    browser.login_as_person(world.people["patient"])
    plan = world.plans["patient"]
    with world.app.app_context():
        memberships_before = db.session.scalar(select(func.count(Membership.id)))

    page = browser.get(f"/plan/{plan.public_id}/sharing/new")
    response = browser.submit(page, "main form", {"national_id": seventeen, "what": "meetings_and_contacts"})

    assert response.status_code == 400
    error = browser.parse(response).select_one("#national_id-error").get_text()
    assert "Personen er under 18 år. Bare voksne kan få tilgang til planen din." in error
    with world.app.app_context():
        assert db.session.scalar(select(func.count(Membership.id))) == memberships_before


# What the policy's named capabilities answer per role, written out by hand like the parts:
# (keeps the crisis plan on the phone, home-screen crisis shortcut, writes as coordinator,
# marks things hidden from guardians). None: the role has no access to the plan at all.
EXPECTED_CAPABILITIES = {
    "anonymous": None,
    "patient": (True, True, False, False),
    "other_patient": None,
    "relative_meetings_and_contacts": (False, False, False, False),
    "relative_whole_plan": (False, True, False, False),
    "relative_messages": (False, False, False, False),
    "relative_expired": None,
    "relative_withdrawn": None,
    "guardian": (True, True, False, False),
    "guardian_child_13_hidden_item": (True, True, False, False),
    "guardian_child_turns_16_tomorrow": (True, True, False, False),
    "guardian_child_turns_16_today": None,
    "coordinator_of_this_plan": (False, False, True, False),
    "coordinator_of_another_plan": None,
    "administrator_of_this_municipality": None,
    "administrator_of_another_municipality": None,
    "administrator_ended": None,
}


def test_each_roles_capabilities_are_as_written_here(world):
    from patient_app.access import access_to

    with world.app.app_context():
        found = {}
        for role in ROLES:
            person = world.people[role]
            access = access_to(person, world.plans[role].public_id) if person is not None else None
            found[role] = access and (access.may_keep_offline, access.may_use_crisis_shortcut,
                                      access.writes_as_coordinator, access.may_hide_from_guardians)
    assert found == EXPECTED_CAPABILITIES


def test_a_child_under_16_sees_who_has_access_but_cannot_grant_change_or_withdraw(fresh_browser):
    """Row: the child (10) trying to share. The page says who decides; every way to change it is refused."""
    from patient_app.models import GrantEvent
    from tests.views.conftest import person_by_key, plan_of

    app = fresh_browser.app
    plan = plan_of(app, "child")
    with app.app_context():  # someone with access, so there is something to try to withdraw
        relative = Membership(plan_id=plan.id, person_id=person_by_key(app, "relative").id, role=Role.RELATIVE,
                              scopes=Scope.MEETINGS_AND_CONTACTS.value)
        db.session.add(relative)
        db.session.commit()
        relative_id = relative.public_id
    fresh_browser.login_as("child")
    base = f"/plan/{plan.public_id}/sharing"

    page = fresh_browser.get(base)
    intro = page.select_one("p.intro").get_text()
    assert "Du er under 16 år. Derfor er det de foresatte dine som bestemmer" in intro
    guardians = page.select_one("section[aria-labelledby=guardians-heading]").get_text()
    assert "Marte Strand" in guardians and "Jonas Strand" in guardians
    assert not page.select(f"a[href^='{base}/']"), "no way to grant or withdraw may be offered"

    token = page.select_one("input[name=csrf_token]")["value"] if page.select_one("input[name=csrf_token]") else ""
    tries = [("GET", base + "/new", {}), ("POST", base + "/new", {"national_id": "01886010733", "what": "whole_plan"}),
             ("POST", base + "/new/confirm", {"national_id": "01886010733", "what": "whole_plan"}),
             ("GET", f"{base}/{relative_id}/withdraw", {}), ("POST", f"{base}/{relative_id}/withdraw", {})]
    for method, url, data in tries:
        response = fresh_browser.client.open(url, method=method, data=data | {"csrf_token": token})
        assert response.status_code == 404, f"{method} {url} answered {response.status_code} to the child"
    with app.app_context():
        assert db.session.scalar(select(func.count(GrantEvent.id))) == 0
        assert db.session.scalar(select(Membership.revoked_at).where(Membership.public_id == relative_id)) is None


def test_a_guardian_manages_the_childs_sharing_and_the_other_guardian_sees_each_change(fresh_app):
    """Row: guardian managing a child's sharing. Each change names who made it, for the other guardian too."""
    from tests.views.conftest import plan_of

    plan = plan_of(fresh_app, "child")
    base = f"/plan/{plan.public_id}/sharing"
    mother, father = Browser(fresh_app, fresh_app.test_client()), Browser(fresh_app, fresh_app.test_client())
    mother.login_as("guardian1")
    father.login_as("guardian2")

    page = mother.get(base)
    assert "Til Emil fyller 16 år, er det dere foresatte som bestemmer" in page.select_one("p.intro").get_text()
    form = mother.get(base + "/new")
    confirm = mother.parse(mother.submit(form, "main form", {"national_id": "01886010733", "what": "meetings_and_contacts"}))
    assert confirm.h1.get_text(strip=True) == "Er dette Berit Holm?"
    assert mother.submit(confirm, "main form").status_code == 302

    history = father.get(base).select_one("section[aria-labelledby=history-heading]").get_text()
    assert "Marte Strand ga Berit Holm tilgang" in history
    withdraw_link = father.get(base).select_one(f"a[href^='{base}/'][href$='/withdraw']")["href"]
    assert father.submit(father.get(withdraw_link), "main form").status_code == 302
    history = mother.get(base).select_one("section[aria-labelledby=history-heading]").get_text()
    assert "Jonas Strand" in history and "Berit Holm" in history


# --- A municipality's own pages: its administrators only -----------------------------------
# Written by hand like the table above. Anyone but an active administrator of the municipality
# in the URL gets 404: its coordinators, another municipality's staff, patients, relatives.

MUNICIPALITY_ROUTES = {
    ("GET", "/municipality/<number>/"),
    ("GET", "/municipality/<number>/coordinators/new"),
    ("POST", "/municipality/<number>/coordinators/new"),
    ("POST", "/municipality/<number>/coordinators/new/confirm"),
    ("GET", "/municipality/<number>/coordinators/<uuid:staff_id>/end"),
    ("POST", "/municipality/<number>/coordinators/<uuid:staff_id>/end"),
}
MUNICIPALITY_ADMINISTRATORS = {"administrator_of_this_municipality"}


def municipality_routes(app) -> list[tuple[str, object]]:
    return [(method, rule) for rule in app.url_map.iter_rules() if "number" in rule.arguments
            for method in sorted(rule.methods & {"GET", "POST"})]


def test_the_municipality_routes_are_the_ones_written_here(world):
    assert {(method, rule.rule) for method, rule in municipality_routes(world.app)} == MUNICIPALITY_ROUTES
    for _, rule in municipality_routes(world.app):
        assert world.app.view_functions[rule.endpoint].access_rule == "municipality_administrator", rule.rule


def staff_id(world: World, number: str) -> uuid.UUID:
    """The public id of an active coordinator on the staff of the municipality with this number."""
    with world.app.app_context():
        return db.session.scalar(
            select(StaffMembership.public_id).join(Municipality)
            .where(Municipality.number == number, StaffMembership.role == StaffRole.COORDINATOR)
        )


def staff_changes(world: World) -> tuple:
    with world.app.app_context():
        return (db.session.scalar(select(func.count(StaffMembership.id))),
                db.session.scalar(select(func.count(StaffMembership.ended_at))))


def csrf_token(client) -> str:
    """A valid token, so only the access policy can refuse a post (not the missing token's 400)."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get("/about-individual-plan").get_data(as_text=True), "html.parser")
    return page.select_one("input[name=csrf_token]")["value"]


def refused(response) -> bool:
    return response.status_code == 404 or (
        response.status_code == 302 and response.headers["Location"].startswith("/login"))


@pytest.mark.parametrize("role", ROLES)
def test_every_municipality_route_for_every_role(world, role):
    """Pages (and their htmx requests) for everyone; posts only for those refused, so nothing
    in the shared world changes, and the count of staff roles proves it."""
    client = world.app.test_client()
    if world.people[role] is not None:
        Browser(world.app, client).login_as_person(world.people[role])
    ids = {"number": THIS_MUNICIPALITY, "staff_id": staff_id(world, THIS_MUNICIPALITY)}
    allowed = role in MUNICIPALITY_ADMINISTRATORS
    form = {"national_id": "01886010733", "csrf_token": csrf_token(client)}
    before = staff_changes(world)
    wrong = []
    for method, rule in municipality_routes(world.app):
        if method == "POST" and allowed:
            continue
        url = url_for_rule(rule, ids)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.open(url, method=method, headers=headers, data=form)
            # 401 is the answer to an htmx request without a login (it tells htmx to go to the login).
            if (response.status_code < 400 and not refused(response)) != allowed:
                wrong.append(f"{role} {method} {url} {headers or ''} -> {response.status_code}")
    assert not wrong, "The municipality policy and the expected table disagree:\n" + "\n".join(wrong)
    assert staff_changes(world) == before


def test_an_administrator_reaches_nothing_of_another_municipality(world):
    """Another municipality's number, or its coordinator's id under one's own number: 404 everywhere."""
    client = world.app.test_client()
    Browser(world.app, client).login_as_person(world.people["administrator_of_this_municipality"])
    form = {"national_id": "01886010733", "csrf_token": csrf_token(client)}
    before = staff_changes(world)
    tries = [{"number": ANOTHER_MUNICIPALITY, "staff_id": staff_id(world, ANOTHER_MUNICIPALITY)},
             {"number": THIS_MUNICIPALITY, "staff_id": staff_id(world, ANOTHER_MUNICIPALITY)},
             {"number": "0000", "staff_id": staff_id(world, ANOTHER_MUNICIPALITY)}]
    wrong = []
    for ids in tries:
        for method, rule in municipality_routes(world.app):
            if ids["number"] == THIS_MUNICIPALITY and "staff_id" not in rule.arguments:
                continue  # their own municipality's pages, allowed above
            url = url_for_rule(rule, ids)
            response = client.open(url, method=method, data=form)
            if response.status_code != 404:
                wrong.append(f"{method} {url} -> {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert staff_changes(world) == before
