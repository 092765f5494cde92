"""The plan's own parts: goals, measures, decisions, meetings, the crisis plan, contacts, consent, the overview."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from patient_app.access import Part, PlanAccess, today_in_oslo
from patient_app.extensions import db
from patient_app.models import (
    Consent,
    CrisisPlan,
    Goal,
    GoalStatus,
    Measure,
    Meeting,
    Participant,
    ServiceDecision,
)
from patient_app.queries._statements import _built_once, _items, _of_plan
from patient_app.queries.messages import unread_message_count


def goals_with_steps(access: PlanAccess) -> list[tuple[Goal, list[Goal]]]:
    """Main goals, each with its steps (delmål), in the plan's order."""
    goals = _items("goals", access, Goal, Goal.position, Goal.id)
    steps_by_parent: dict[int, list[Goal]] = {}
    for goal in goals:
        if goal.parent_id is not None:
            steps_by_parent.setdefault(goal.parent_id, []).append(goal)
    return [(goal, steps_by_parent.get(goal.id, [])) for goal in goals if goal.parent_id is None]


def measures(access: PlanAccess) -> list[Measure]:
    return _items(
        "measures",
        access,
        Measure,
        Measure.start_date,
        Measure.id,
        # Both are many-to-one: joined into the one statement rather than two more.
        options=(joinedload(Measure.responsible), joinedload(Measure.goal)),
    )


def measures_now_and_other(access: PlanAccess) -> tuple[list[Measure], list[Measure]]:
    today = today_in_oslo()
    all_measures = measures(access)
    current = [m for m in all_measures if m.is_current(today)]
    other = [m for m in all_measures if not m.is_current(today)]
    return current, other


def service_decisions(access: PlanAccess) -> list[ServiceDecision]:
    return _items("service decisions", access, ServiceDecision, ServiceDecision.valid_to, ServiceDecision.id)


def _meetings_query(access: PlanAccess):
    return _of_plan(Meeting, access).options(
        # Minutes are one per meeting: joined; invitees are a list: one more statement.
        selectinload(Meeting.invitees), joinedload(Meeting.minutes)
    )


def _upcoming_meetings(access: PlanAccess) -> Select:
    return _meetings_query(access).where(Meeting.starts_at >= bindparam("now")).order_by(Meeting.starts_at)


def _past_meetings(access: PlanAccess) -> Select:
    return _meetings_query(access).where(Meeting.starts_at < bindparam("now")).order_by(Meeting.starts_at.desc())


def upcoming_meetings(access: PlanAccess) -> list[Meeting]:
    statement = _built_once("upcoming meetings", access, _upcoming_meetings)
    return db.session.scalars(statement, {"plan_id": access.plan.id, "now": datetime.now(timezone.utc)}).all()


def meetings_upcoming_and_past(access: PlanAccess) -> tuple[list[Meeting], list[Meeting]]:
    now = datetime.now(timezone.utc)
    upcoming = db.session.scalars(
        _built_once("upcoming meetings", access, _upcoming_meetings), {"plan_id": access.plan.id, "now": now}
    ).all()
    past = db.session.scalars(
        _built_once("past meetings", access, _past_meetings), {"plan_id": access.plan.id, "now": now}
    ).all()
    return upcoming, past


def _next_meeting(access: PlanAccess) -> Select:
    return (
        _of_plan(Meeting, access)
        .where(Meeting.starts_at >= bindparam("now"), Meeting.cancelled.is_(False))
        .options(joinedload(Meeting.invitees))
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def next_meeting(access: PlanAccess) -> Meeting | None:
    """The overview's next meeting with who is invited, in one statement (the LIMIT goes into a
    subquery); its minutes are not shown there, so they are not loaded."""
    statement = _built_once("next meeting", access, _next_meeting)
    return db.session.scalars(statement, {"plan_id": access.plan.id, "now": datetime.now(timezone.utc)}).unique().first()


def meetings_since(access: PlanAccess, since: datetime) -> list[Meeting]:
    """Meetings starting at ``since`` or later, oldest first (the calendar feed). One statement
    whatever the plan's size: an event needs neither who is invited nor the minutes
    (patient_app/ics.py), so neither is loaded."""
    statement = _built_once("meetings since", access, lambda access: (
        _of_plan(Meeting, access).where(Meeting.starts_at >= bindparam("since")).order_by(Meeting.starts_at, Meeting.id)
    ))
    return db.session.scalars(statement, {"plan_id": access.plan.id, "since": since}).all()


def meeting(access: PlanAccess, meeting_id: uuid.UUID) -> Meeting | None:
    statement = _built_once(
        "meeting", access, lambda access: _meetings_query(access).where(Meeting.public_id == bindparam("meeting_id"))
    )
    return db.session.scalars(statement, {"plan_id": access.plan.id, "meeting_id": meeting_id}).first()


def crisis_plan(access: PlanAccess) -> CrisisPlan | None:
    statement = _built_once("crisis plan", access, lambda access: select(CrisisPlan).where(CrisisPlan.plan_id == bindparam("plan_id")))
    return db.session.scalar(statement, {"plan_id": access.plan.id})


def participants(access: PlanAccess) -> list[Participant]:
    statement = _built_once("participants", access, lambda access: (
        select(Participant)
        .where(Participant.plan_id == bindparam("plan_id"))
        .order_by(Participant.is_coordinator.desc(), Participant.position, Participant.name)
    ))
    return db.session.scalars(statement, {"plan_id": access.plan.id}).all()


def coordinator(access: PlanAccess) -> Participant | None:
    statement = _built_once("coordinator", access, lambda access: select(Participant).where(
        Participant.plan_id == bindparam("plan_id"), Participant.is_coordinator.is_(True)
    ))
    return db.session.scalars(statement, {"plan_id": access.plan.id}).first()


def consents(access: PlanAccess) -> list[Consent]:
    query = select(Consent).where(Consent.plan_id == access.plan.id).order_by(Consent.given_at)
    return db.session.scalars(query).all()


def overview(access: PlanAccess) -> dict:
    """What matters most now, limited to the parts this person may see."""
    may = access.may_view
    goals = goals_with_steps(access) if may(Part.GOALS) else None
    current_measures = measures_now_and_other(access)[0] if may(Part.MEASURES) else None
    return {
        "access": access,
        "show_crisis_plan": may(Part.CRISIS_PLAN),
        "next_meeting": next_meeting(access) if may(Part.MEETINGS) else None,
        "show_meetings": may(Part.MEETINGS),
        "coordinator": coordinator(access) if may(Part.CONTACTS) else None,
        "goals": goals,
        "active_goal_statuses": (GoalStatus.IN_PROGRESS, GoalStatus.NOT_STARTED),
        "current_measures": current_measures,
        "next_review": access.plan.next_review if may(Part.GOALS) else None,
        "unread_messages": unread_message_count(access),
        "more_links": more_links(access),
    }


MORE_LINKS = (
    ("sharing.index", Part.SHARING),
    ("sharing.access_log", Part.ACCESS_LOG),
    ("plan.print_version", Part.PRINT),
)


def more_links(access: PlanAccess) -> list[str]:
    """Endpoints of the owner-side pages this person may open (the policy decides)."""
    return [endpoint for endpoint, part in MORE_LINKS if access.may_view(part)]
