"""Who has access to a plan, how it was granted, and who has looked."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from patient_app.access import PlanAccess
from patient_app.extensions import db


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
