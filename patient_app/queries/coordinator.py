"""The coordinator's list of plans."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from patient_app.access import PlanAccess
from patient_app.extensions import db
from patient_app.queries.messages import unread_messages
from patient_app.models import (
    Meeting,
)


def coordinator_summaries(accesses: list[PlanAccess]) -> list[dict]:
    """For the coordinator's list of plans: unread messages, conversations waiting for an
    answer, the next meeting and review. Plans with something to answer come first.

    Four queries whatever the number of plans. Only for coordinator accesses, which
    see every item, so no guardian filter applies.
    """
    from sqlalchemy import func

    from patient_app.models import Message, MessageThread, Role

    accesses = [access for access in accesses if access.role is Role.COORDINATOR]
    if not accesses:
        return []
    plan_ids = [access.plan.id for access in accesses]
    me = accesses[0].membership.person_id
    unread = dict(db.session.execute(
        unread_messages(MessageThread.plan_id, me).where(MessageThread.plan_id.in_(plan_ids))
    ).all())
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
    proposals_waiting = waiting_proposals_by_plan(accesses)
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


def waiting_proposals_by_plan(accesses: list[PlanAccess]) -> dict[int, int]:
    """Proposals waiting for an answer, per plan of these accesses (the coordinator's list)."""
    from sqlalchemy import func

    from patient_app.models import Proposal, ProposalStatus

    plan_ids = [access.plan.id for access in accesses]
    return dict(
        db.session.execute(
            select(Proposal.plan_id, func.count(Proposal.id))
            .where(Proposal.plan_id.in_(plan_ids), Proposal.status == ProposalStatus.WAITING)
            .group_by(Proposal.plan_id)
        ).all()
    )
