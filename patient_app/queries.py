"""Reading plan data, always through a PlanAccess so lists follow the access policy.

Each function runs a fixed number of queries whatever the size of the plan
(eager loading chosen per page), so pages stay fast for long plans.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from patient_app.access import Part, PlanAccess, today_in_oslo, visible_to
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


def _items(access: PlanAccess, model, *order_by, options=()):
    query = (
        select(model)
        .where(model.plan_id == access.plan.id, *visible_to(access, model))
        .order_by(*order_by)
        .options(*options)
    )
    return db.session.scalars(query).all()


def goals_with_steps(access: PlanAccess) -> list[tuple[Goal, list[Goal]]]:
    """Main goals, each with its steps (delmål), in the plan's order."""
    goals = _items(access, Goal, Goal.position, Goal.id)
    steps_by_parent: dict[int, list[Goal]] = {}
    for goal in goals:
        if goal.parent_id is not None:
            steps_by_parent.setdefault(goal.parent_id, []).append(goal)
    return [(goal, steps_by_parent.get(goal.id, [])) for goal in goals if goal.parent_id is None]


def measures(access: PlanAccess) -> list[Measure]:
    return _items(
        access,
        Measure,
        Measure.start_date,
        Measure.id,
        options=(selectinload(Measure.responsible), selectinload(Measure.goal)),
    )


def measures_now_and_other(access: PlanAccess) -> tuple[list[Measure], list[Measure]]:
    today = today_in_oslo()
    all_measures = measures(access)
    current = [m for m in all_measures if m.is_current(today)]
    other = [m for m in all_measures if not m.is_current(today)]
    return current, other


def service_decisions(access: PlanAccess) -> list[ServiceDecision]:
    return _items(access, ServiceDecision, ServiceDecision.valid_to, ServiceDecision.id)


def _meetings_query(access: PlanAccess):
    return (
        select(Meeting)
        .where(Meeting.plan_id == access.plan.id, *visible_to(access, Meeting))
        .options(selectinload(Meeting.invitees), selectinload(Meeting.minutes))
    )


def meetings_upcoming_and_past(access: PlanAccess) -> tuple[list[Meeting], list[Meeting]]:
    now = datetime.now(timezone.utc)
    upcoming = db.session.scalars(
        _meetings_query(access).where(Meeting.starts_at >= now).order_by(Meeting.starts_at)
    ).all()
    past = db.session.scalars(
        _meetings_query(access).where(Meeting.starts_at < now).order_by(Meeting.starts_at.desc())
    ).all()
    return upcoming, past


def next_meeting(access: PlanAccess) -> Meeting | None:
    now = datetime.now(timezone.utc)
    query = (
        _meetings_query(access)
        .where(Meeting.starts_at >= now, Meeting.cancelled.is_(False))
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    return db.session.scalars(query).first()


def meeting(access: PlanAccess, meeting_id: uuid.UUID) -> Meeting | None:
    return db.session.scalars(_meetings_query(access).where(Meeting.public_id == meeting_id)).first()


def crisis_plan(access: PlanAccess) -> CrisisPlan | None:
    return db.session.scalar(select(CrisisPlan).where(CrisisPlan.plan_id == access.plan.id))


def participants(access: PlanAccess) -> list[Participant]:
    query = (
        select(Participant)
        .where(Participant.plan_id == access.plan.id)
        .order_by(Participant.is_coordinator.desc(), Participant.position, Participant.name)
    )
    return db.session.scalars(query).all()


def coordinator(access: PlanAccess) -> Participant | None:
    query = select(Participant).where(
        Participant.plan_id == access.plan.id, Participant.is_coordinator.is_(True)
    )
    return db.session.scalars(query).first()


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
    }
