"""THE access policy: who may see or do what to which part of which plan.

Every view, fragment and query asks this module; templates never decide.
A plan the person may not open answers 404, the same as a plan that does not
exist, so identifiers cannot be probed.
"""

from __future__ import annotations

import datetime as dt
import logging
import enum
import uuid
from dataclasses import dataclass
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, bindparam, or_, select

from patient_app import login_sessions
from patient_app.extensions import db
from patient_app.models import Membership, Person, Plan, Role, Scope
from patient_app.times import today_in_oslo

log = logging.getLogger(__name__)

GUARDIAN_AGE_LIMIT = 16  # pasient- og brukerrettighetsloven § 4-3: own consent from 16


class Part(enum.StrEnum):
    """The parts of a plan that access is decided for."""

    OVERVIEW = "overview"
    GOALS = "goals"
    MEASURES = "measures"
    DECISIONS = "decisions"
    MEETINGS = "meetings"
    # A private calendar address for the meetings (patient_app/calendar_feeds.py): whoever
    # may see the meetings, except coordinators, whose phone calendars (and the clouds they
    # sync to) would fill with other people's meetings.
    CALENDAR = "calendar"
    CRISIS_PLAN = "crisis_plan"
    CONTACTS = "contacts"
    CONSENT = "consent"
    MESSAGES = "messages"
    # Only some roles, whatever a grant says:
    PRINT = "print"  # docs/domain.md, Printing: only the patient, guardians and the coordinator
    ACCESS_LOG = "access_log"  # who has looked at the plan
    SHARING = "sharing"  # deciding who sees the plan
    PROPOSALS = "proposals"  # proposing goals and changes to the coordinator (DIPS Samspill's model)


# Parts no relative's grant can reach.
OWNER_SIDE_PARTS = frozenset({Part.PRINT, Part.ACCESS_LOG, Part.SHARING, Part.PROPOSALS})

PARTS_BY_ROLE: dict[Role, frozenset[Part]] = {
    Role.OWNER: frozenset(Part),
    # A guardian's membership is active only while the child is under 16, and till then
    # the guardians, not the child, decide who else sees the plan.
    Role.GUARDIAN: frozenset(Part),
    Role.COORDINATOR: frozenset(Part) - {Part.SHARING, Part.ACCESS_LOG, Part.CALENDAR},
}


PARTS_BY_SCOPE: dict[Scope, frozenset[Part]] = {
    Scope.MEETINGS_AND_CONTACTS: frozenset({Part.OVERVIEW, Part.MEETINGS, Part.CALENDAR, Part.CONTACTS}),
    Scope.WHOLE_PLAN: frozenset(Part) - {Part.MESSAGES} - OWNER_SIDE_PARTS,
    Scope.MESSAGES: frozenset({Part.OVERVIEW, Part.MESSAGES}),
}



@dataclass(frozen=True)
class PlanAccess:
    """One person's effective access to one plan, as the policy decided it."""

    plan: Plan
    membership: Membership

    @property
    def role(self) -> Role:
        return self.membership.role

    @property
    def is_owner(self) -> bool:
        return self.role is Role.OWNER

    @property
    def hides_guardian_restricted_items(self) -> bool:
        return self.role is Role.GUARDIAN

    def may_view(self, part: Part) -> bool:
        if self.role in PARTS_BY_ROLE:
            return part in PARTS_BY_ROLE[self.role]
        return any(part in PARTS_BY_SCOPE[scope] for scope in self.membership.scope_set)

    def visible_parts(self) -> frozenset[Part]:
        return frozenset(part for part in Part if self.may_view(part))

    # --- Named capabilities: what views, templates and notifications ask ----------------

    def may_see_item(self, part: Part, hidden_from_guardians: bool) -> bool:
        """One item (a meeting, a message) of a part: its part, and not a guardian's view of
        what a child of 12–15 keeps from them. visible_to says the same for queries."""
        return self.may_view(part) and not (hidden_from_guardians and self.hides_guardian_restricted_items)

    @property
    def may_keep_offline(self) -> bool:
        """The crisis plan and contacts on this phone: the patient, and a child's guardians,
        who act for the child. Not coordinators (other people's crisis plans would fill their
        phones), not relatives (sharing is not copying onto someone else's phone)."""
        return self.role in (Role.OWNER, Role.GUARDIAN) and self.may_view(Part.CRISIS_PLAN)

    @property
    def may_use_crisis_shortcut(self) -> bool:
        """The home-screen shortcut opens a crisis plan one's own (or a child's), never one
        the person only keeps as coordinator."""
        return self.may_view(Part.CRISIS_PLAN) and self.role is not Role.COORDINATOR

    @property
    def writes_as_coordinator(self) -> bool:
        """Closes, reopens and hides conversations, and writes in closed ones."""
        return self.role is Role.COORDINATOR

    def may_write_in(self, thread) -> bool:
        return not thread.is_closed or self.writes_as_coordinator

    @property
    def may_hide_from_guardians(self) -> bool:
        return self.writes_as_coordinator and guardians_may_be_refused(self.plan)


def manages_sharing(access: PlanAccess, today: dt.date) -> bool:
    """Who grants, changes and withdraws access: the patient from 16, before that the
    guardians, never the child. An unknown age counts as an adult's."""
    age = access.plan.owner.age_on(today)
    child = age is not None and age < GUARDIAN_AGE_LIMIT
    return (access.is_owner and not child) or (access.role is Role.GUARDIAN and child)


def membership_is_active(membership: Membership, owner: Person, today: dt.date) -> bool:
    if membership.revoked_at is not None:
        return False
    if membership.valid_until is not None and membership.valid_until < today:
        return False
    if membership.role is Role.GUARDIAN:
        age = owner.age_on(today)
        return age is not None and age < GUARDIAN_AGE_LIMIT
    return True


# The statements every plan page runs are built once, with bound parameters: building
# one (and its cache key) anew on each request cost about as much as running it.
# Memberships that may be active; the age rules are applied afterwards in Python.
ANYONES_POSSIBLY_ACTIVE_MEMBERSHIPS = (
    select(Membership)
    .join(Membership.plan)
    .where(Membership.revoked_at.is_(None))
    .where(or_(Membership.valid_until.is_(None), Membership.valid_until >= bindparam("today")))
)
POSSIBLY_ACTIVE_MEMBERSHIPS = ANYONES_POSSIBLY_ACTIVE_MEMBERSHIPS.where(Membership.person_id == bindparam("person_id"))
POSSIBLY_ACTIVE_MEMBERSHIPS_OF_PLAN = POSSIBLY_ACTIVE_MEMBERSHIPS.where(Plan.public_id == bindparam("plan_public_id"))
COORDINATOR_MEMBERSHIP_OF_PLAN = POSSIBLY_ACTIVE_MEMBERSHIPS_OF_PLAN.where(Membership.role == Role.COORDINATOR)


def _possibly_active(statement: Select, person: Person, today: dt.date, **parameters) -> list[Membership]:
    return db.session.scalars(statement, {"person_id": person.id, "today": today, **parameters}).all()


def accessible_plans(person: Person, today: dt.date | None = None) -> list[PlanAccess]:
    """Every plan this person may open now, their own first."""
    today = today or today_in_oslo()
    rows = _possibly_active(POSSIBLY_ACTIVE_MEMBERSHIPS, person, today)
    accesses = [
        PlanAccess(plan=m.plan, membership=m)
        for m in rows
        if membership_is_active(m, m.plan.owner, today)
    ]
    return sorted(accesses, key=lambda a: (not a.is_owner, a.plan.owner.name))


def access_to(person: Person, plan_public_id: uuid.UUID, today: dt.date | None = None) -> PlanAccess | None:
    """The strongest active access this person has to the plan, or None."""
    today = today or today_in_oslo()
    possibly_active = _possibly_active(POSSIBLY_ACTIVE_MEMBERSHIPS_OF_PLAN, person, today, plan_public_id=plan_public_id)
    return _strongest_active_access(possibly_active, today)


def accesses_to_plans(plan_ids, person_ids=None, today: dt.date | None = None) -> dict[tuple[int, int], PlanAccess]:
    """``access_to`` for many plans and people in one query: {(plan id, person id): access} for each active one.

    ``person_ids`` None means every member. For work across many plans at once
    (meeting reminders), where a query per person and plan would be the cost.
    """
    today = today or today_in_oslo()
    statement = ANYONES_POSSIBLY_ACTIVE_MEMBERSHIPS.where(Membership.plan_id.in_(list(plan_ids)))
    if person_ids is not None:
        statement = statement.where(Membership.person_id.in_(list(person_ids)))
    memberships_by_pair: dict[tuple[int, int], list[Membership]] = {}
    for membership in db.session.scalars(statement, {"today": today}):
        memberships_by_pair.setdefault((membership.plan_id, membership.person_id), []).append(membership)
    accesses = {pair: _strongest_active_access(memberships, today) for pair, memberships in memberships_by_pair.items()}
    return {pair: access for pair, access in accesses.items() if access is not None}


def _strongest_active_access(memberships, today: dt.date) -> PlanAccess | None:
    """One person's memberships of one plan: the strongest role among the active ones decides."""
    active = [m for m in memberships if membership_is_active(m, m.plan.owner, today)]
    if not active:
        return None
    strongest = min(active, key=lambda m: list(Role).index(m.role))
    return PlanAccess(plan=strongest.plan, membership=strongest)


def refuse(reason: str, **details) -> None:
    """Answer 404 (never 403: ids cannot be probed), and log the refusal as a security event
    (ASVS 7.2.2) with opaque ids only: the endpoint, the person's public id, what was refused."""
    from flask import request

    person = getattr(current_user, "public_id", None)
    log.warning("access refused: %s", reason, extra={
        "endpoint": request.endpoint, "person": str(person) if person else "-",
        **{key: str(value) for key, value in details.items()},
    })
    abort(404)


def require_part(plan_public_id: uuid.UUID, part: Part) -> PlanAccess:
    """For views: the current user's access to this part of this plan, or 404."""
    access = access_to(current_user, plan_public_id)
    if access is None:
        refuse("no access to the plan", plan=plan_public_id)
    if not access.may_view(part):
        refuse("part not granted", plan=plan_public_id, part=part.value)
    return access


def visible_to(access: PlanAccess, model) -> list:
    """Query conditions that keep items a guardian may not see out of lists.

    They depend on nothing but ``access.hides_guardian_restricted_items``:
    queries.py builds each statement once per value of it.
    """
    if access.hides_guardian_restricted_items and hasattr(model, "hidden_from_guardians"):
        return [model.hidden_from_guardians.is_(False)]
    return []


# The coordinator's workspace is one role, whichever plan is being edited; reading
# a plan is a role per plan. Moving between them gives a new session id.
COORDINATOR_CONTEXT = "coordinator"


# --- Route rules -------------------------------------------------------------
# Every view carries exactly one of these; tests/views/test_route_rules.py walks
# the URL map and fails for a route without one.

def public(view):
    """Reachable without login (login page, static, about, language)."""
    view.access_rule = "public"
    return view


def signed_in(view):
    """Any logged-in person; the view itself touches no plan data."""
    wrapped = login_required(view)
    wrapped.access_rule = "signed_in"
    return wrapped


def plan_part(part: Part):
    """Logged in, and allowed to see ``part`` of the plan named by ``plan_id``.

    The view receives ``access`` (a PlanAccess) instead of ``plan_id``.
    """
    from patient_app import access_log

    def decorator(view):
        @wraps(view)
        def wrapper(*args, plan_id: uuid.UUID, **kwargs):
            access = require_part(plan_id, part)
            login_sessions.enter_context(current_user, f"plan:{plan_id}:{access.role.value}")
            access_log.record_view(access, part)
            return view(*args, access=access, **kwargs)

        guarded = login_required(wrapper)
        guarded.access_rule = f"plan:{part.value}"
        return guarded

    return decorator


# --- The coordinator's workspace ---------------------------------------------
# Editing a plan is not a Part: owners, guardians and whole-plan relatives see
# every Part, but only the plan's coordinator may change it.

CHILD_PRIVACY_AGE = 12  # pasient- og brukerrettighetsloven § 3-4: from 12, some things may be kept from guardians


def coordinator_access_to(person: Person, plan_public_id: uuid.UUID, today: dt.date | None = None) -> PlanAccess | None:
    """This person's active coordinator membership of the plan, or None."""
    today = today or today_in_oslo()
    memberships = _possibly_active(COORDINATOR_MEMBERSHIP_OF_PLAN, person, today, plan_public_id=plan_public_id)
    membership = memberships[0] if memberships else None
    if membership is None or not membership_is_active(membership, membership.plan.owner, today):
        return None
    return PlanAccess(plan=membership.plan, membership=membership)


def coordinated_plans(person: Person, today: dt.date | None = None) -> list[PlanAccess]:
    """The plans this person coordinates now."""
    return [access for access in accessible_plans(person, today) if access.role is Role.COORDINATOR]


def require_coordinator(plan_public_id: uuid.UUID) -> PlanAccess:
    """For views: the current user's right to edit this plan, or 404 (never 403: ids cannot be probed)."""
    access = coordinator_access_to(current_user, plan_public_id)
    if access is None:
        refuse("not the plan's coordinator", plan=plan_public_id)
    return access


def guardians_may_be_refused(plan: Plan, today: dt.date | None = None) -> bool:
    """A child of 12–15 may ask that items are not shown to guardians; before 12 and from 16 it means nothing."""
    age = plan.owner.age_on(today or today_in_oslo())
    return age is not None and CHILD_PRIVACY_AGE <= age < GUARDIAN_AGE_LIMIT


def coordinates_plan(view):
    """Logged in, and the coordinator of the plan named by ``plan_id``; otherwise 404.

    The view receives ``access`` (the coordinator's PlanAccess) instead of
    ``plan_id``.
    """
    @wraps(view)
    def wrapper(*args, plan_id: uuid.UUID, **kwargs):
        access = require_coordinator(plan_id)
        login_sessions.enter_context(current_user, COORDINATOR_CONTEXT)
        return view(*args, access=access, **kwargs)

    guarded = login_required(wrapper)
    guarded.access_rule = "coordinator"
    return guarded


def coordinator_workspace(view):
    """Logged in and coordinating at least one plan now; anyone else gets 404."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not coordinated_plans(current_user):
            refuse("not a coordinator")
        login_sessions.enter_context(current_user, COORDINATOR_CONTEXT)
        return view(*args, **kwargs)

    guarded = login_required(wrapper)
    guarded.access_rule = "coordinator"
    return guarded
