"""Reading plan data, always through a PlanAccess so lists follow the access policy.

Each function runs a fixed number of queries whatever the size of the plan
(eager loading chosen per page), so pages stay fast for long plans.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from collections.abc import Callable

from flask import g
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from patient_app.access import Part, PlanAccess, today_in_oslo, visible_to
from patient_app.extensions import db
from patient_app.parts import ITEM_TYPES
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


# --- Statements built once ----------------------------------------------------
# Every page runs the same few statements. Each is built once per visibility (with
# or without the items a guardian may not see: the one thing access.visible_to
# depends on) with the plan and the times as bound parameters: building a statement
# and its cache key anew on each request cost about as much as running it.

_BUILT: dict[tuple[str, bool], Select] = {}


def _built_once(name: str, access: PlanAccess, build: Callable[[PlanAccess], Select]) -> Select:
    key = (name, access.hides_guardian_restricted_items)
    statement = _BUILT.get(key)
    if statement is None:
        statement = _BUILT[key] = build(access)
    return statement


def _of_plan(model, access: PlanAccess) -> Select:
    return select(model).where(model.plan_id == bindparam("plan_id"), *visible_to(access, model))


def item_of_plan(access: PlanAccess, model, public_id: uuid.UUID):
    """One goal, measure, decision, meeting or contact of this plan by its public id, or None."""
    return db.session.scalar(_of_plan(model, access).where(model.public_id == public_id), {"plan_id": access.plan.id})


def _items(name: str, access: PlanAccess, model, *order_by, options=()):
    statement = _built_once(name, access, lambda access: _of_plan(model, access).order_by(*order_by).options(*options))
    return db.session.scalars(statement, {"plan_id": access.plan.id}).all()


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


def memberships_of_plan(access: PlanAccess) -> list:
    """Everyone whose access is on record for this plan, active or not."""
    from patient_app.models import Membership

    query = (
        select(Membership)
        .where(Membership.plan_id == access.plan.id)
        .order_by(Membership.role, Membership.created_at)
    )
    return db.session.scalars(query).all()


def relative_membership(access: PlanAccess, membership_id: uuid.UUID):
    from patient_app.models import Membership, Role

    return db.session.scalar(
        select(Membership).where(
            Membership.plan_id == access.plan.id,
            Membership.public_id == membership_id,
            Membership.role == Role.RELATIVE,
        )
    )


def grant_events(access: PlanAccess) -> list:
    from patient_app.models import GrantEvent, Membership

    query = (
        select(GrantEvent)
        .where(GrantEvent.plan_id == access.plan.id)
        .options(selectinload(GrantEvent.actor), selectinload(GrantEvent.membership).selectinload(Membership.person))
        .order_by(GrantEvent.at.desc(), GrantEvent.id.desc())
    )
    return db.session.scalars(query).all()


def access_log(access: PlanAccess, limit: int = 200) -> list:
    """Who has looked at the plan, newest first."""
    from patient_app.models import AccessLogEntry

    query = (
        select(AccessLogEntry)
        .where(AccessLogEntry.plan_id == access.plan.id)
        .options(selectinload(AccessLogEntry.viewer))
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
        .limit(limit)
    )
    return db.session.scalars(query).all()


# --- Messages ----------------------------------------------------------------
# A person without the messages part gets None, never a count: a relative whose
# grant lacks messages must not learn that messages exist.


def _unread_by_thread(access: PlanAccess):
    """(thread id, unread count) rows for the person, who is ``me``."""
    statement = _built_once("unread by thread", access, _unread_by_thread_query)
    return db.session.execute(statement, {"plan_id": access.plan.id, "me": access.membership.person_id})


def _unread_by_thread_query(access: PlanAccess):
    from sqlalchemy import and_, func, or_

    from patient_app.models import Message, MessageThread, ThreadReadMark

    me = bindparam("me")
    return (
        select(Message.thread_id, func.count(Message.id))
        .join(MessageThread, Message.thread_id == MessageThread.id)
        .outerjoin(
            ThreadReadMark,
            and_(ThreadReadMark.thread_id == Message.thread_id, ThreadReadMark.person_id == me),
        )
        .where(MessageThread.plan_id == bindparam("plan_id"), *visible_to(access, MessageThread))
        .where(Message.author_id != me)
        .where(or_(ThreadReadMark.last_read_message_id.is_(None), Message.id > ThreadReadMark.last_read_message_id))
        .group_by(Message.thread_id)
    )


def unread_message_count(access: PlanAccess | None) -> int | None:
    """Messages from others this person has not opened yet, or None without the messages part."""
    if access is None or not access.may_view(Part.MESSAGES):
        return None
    # The overview and the navigation badge both ask during one request: counted once.
    key = (access.plan.id, access.membership.person_id)
    counted = g.setdefault("unread_message_counts", {})
    if key not in counted:
        counted[key] = sum(count for _thread, count in _unread_by_thread(access))
    return counted[key]


def message_threads(access: PlanAccess) -> list[tuple]:
    """(thread, unread count) pairs: unread first, then the latest conversation first."""
    from patient_app.models import MessageThread

    if not access.may_view(Part.MESSAGES):
        return []
    unread = dict(_unread_by_thread(access).all())
    statement = _built_once("threads", access, lambda access: _of_plan(MessageThread, access).order_by(
        MessageThread.last_message_at.desc(), MessageThread.id.desc()
    ))
    threads = db.session.scalars(statement, {"plan_id": access.plan.id}).all()
    pairs = [(thread, unread.get(thread.id, 0)) for thread in threads]
    return sorted(pairs, key=lambda pair: (pair[1] == 0, pair[0].is_closed))


def message_thread(access: PlanAccess, thread_id: uuid.UUID):
    """One thread with its messages and their authors, or None (also when not visible to this person)."""
    from patient_app.models import Message, MessageThread

    if not access.may_view(Part.MESSAGES):
        return None
    statement = _built_once("thread", access, lambda access: (
        _of_plan(MessageThread, access)
        .where(MessageThread.public_id == bindparam("thread_id"))
        .options(selectinload(MessageThread.messages).joinedload(Message.author))
    ))
    return db.session.scalars(statement, {"plan_id": access.plan.id, "thread_id": thread_id}).first()


def coordinator_summaries(accesses: list[PlanAccess]) -> list[dict]:
    """For the coordinator's list of plans: unread messages, conversations waiting for an
    answer, the next meeting and review. Plans with something to answer come first.

    Four queries whatever the number of plans. Only for coordinator accesses, which
    see every item, so no guardian filter applies.
    """
    from sqlalchemy import and_, func, or_

    from patient_app.models import Message, MessageThread, Role, ThreadReadMark

    accesses = [access for access in accesses if access.role is Role.COORDINATOR]
    if not accesses:
        return []
    plan_ids = [access.plan.id for access in accesses]
    me = accesses[0].membership.person_id
    unread = dict(
        db.session.execute(
            select(MessageThread.plan_id, func.count(Message.id))
            .join(Message, Message.thread_id == MessageThread.id)
            .outerjoin(ThreadReadMark, and_(ThreadReadMark.thread_id == MessageThread.id, ThreadReadMark.person_id == me))
            .where(MessageThread.plan_id.in_(plan_ids), Message.author_id != me)
            .where(or_(ThreadReadMark.last_read_message_id.is_(None), Message.id > ThreadReadMark.last_read_message_id))
            .group_by(MessageThread.plan_id)
        ).all()
    )
    newest = (
        select(Message.thread_id, func.max(Message.id).label("newest_id")).group_by(Message.thread_id).subquery()
    )
    waiting = dict(
        db.session.execute(
            select(MessageThread.plan_id, func.count(MessageThread.id))
            .join(newest, newest.c.thread_id == MessageThread.id)
            .join(Message, Message.id == newest.c.newest_id)
            .where(MessageThread.plan_id.in_(plan_ids), MessageThread.closed_at.is_(None))
            .where(Message.author_role != Role.COORDINATOR)
            .group_by(MessageThread.plan_id)
        ).all()
    )
    next_meetings = dict(
        db.session.execute(
            select(Meeting.plan_id, func.min(Meeting.starts_at))
            .where(Meeting.plan_id.in_(plan_ids), Meeting.starts_at >= datetime.now(timezone.utc))
            .where(Meeting.cancelled.is_(False))
            .group_by(Meeting.plan_id)
        ).all()
    )
    proposals_waiting = waiting_proposals_by_plan(plan_ids)
    summaries = [
        {
            "access": access,
            "proposals": proposals_waiting.get(access.plan.id, 0),
            "unread": unread.get(access.plan.id, 0),
            "waiting": waiting.get(access.plan.id, 0),
            "next_meeting_at": next_meetings.get(access.plan.id),
            "next_review": access.plan.next_review,
        }
        for access in accesses
    ]
    return sorted(
        summaries,
        key=lambda s: (s["unread"] == 0, s["waiting"] == 0, s["proposals"] == 0, s["access"].plan.owner.name),
    )


# --- The plan's history ------------------------------------------------------
# A change is shown to those who may see the part its item belongs to; guardians
# never see changes to items kept from them, nor the marking itself.

def _changes_query(access: PlanAccess):
    from patient_app.models import PlanChange

    item_types = [code for code, item_type in ITEM_TYPES.items() if access.may_view(item_type.part)]
    query = select(PlanChange).where(PlanChange.plan_id == access.plan.id, PlanChange.item_type.in_(item_types))
    if access.hides_guardian_restricted_items:
        query = query.where(PlanChange.hidden_from_guardians.is_(False), PlanChange.field != "hidden_from_guardians")
    return query


def plan_changes(access: PlanAccess, item_public_id: uuid.UUID | None = None, after_id: int | None = None,
                 limit: int = 200) -> list:
    """Changes this person may see, newest first: for the plan, one item, or after a mark."""
    from patient_app.models import PlanChange

    query = _changes_query(access)
    if item_public_id is not None:
        query = query.where(PlanChange.item_public_id == item_public_id)
    if after_id is not None:
        query = query.where(PlanChange.id > after_id)
    return db.session.scalars(query.order_by(PlanChange.id.desc()).limit(limit)).all()


def newest_change_id(access: PlanAccess) -> int:
    from sqlalchemy import func

    from patient_app.models import PlanChange

    return db.session.scalar(select(func.max(PlanChange.id)).where(PlanChange.plan_id == access.plan.id)) or 0


# --- Proposals ---------------------------------------------------------------


def proposals(access: PlanAccess) -> list:
    """The plan's proposals, those waiting for the coordinator first, newest first."""
    from patient_app.models import Proposal, ProposalStatus

    if not access.may_view(Part.PROPOSALS):
        return []
    rows = db.session.scalars(
        select(Proposal)
        .where(Proposal.plan_id == access.plan.id, *visible_to(access, Proposal))
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    ).all()
    return sorted(rows, key=lambda p: p.status is not ProposalStatus.WAITING)


def proposal(access: PlanAccess, proposal_id: uuid.UUID):
    from patient_app.models import Proposal

    if not access.may_view(Part.PROPOSALS):
        return None
    return db.session.scalar(
        select(Proposal).where(
            Proposal.plan_id == access.plan.id, Proposal.public_id == proposal_id, *visible_to(access, Proposal)
        )
    )


def waiting_proposals_by_plan(plan_ids: list[int]) -> dict[int, int]:
    """For the coordinator's list of plans."""
    from sqlalchemy import func

    from patient_app.models import Proposal, ProposalStatus

    return dict(
        db.session.execute(
            select(Proposal.plan_id, func.count(Proposal.id))
            .where(Proposal.plan_id.in_(plan_ids), Proposal.status == ProposalStatus.WAITING)
            .group_by(Proposal.plan_id)
        ).all()
    )
