"""Reading a municipality's records: its coordinating unit for a plan's people, its staff for its administrators."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from patient_app.access import PlanAccess
from patient_app.access_municipality import MunicipalityAccess
from patient_app.extensions import db
from patient_app.models import CoordinatingUnit, StaffMembership, StaffRole


def coordinating_unit(access: PlanAccess) -> CoordinatingUnit | None:
    """The coordinating unit of the plan's municipality: whom to call about the plan. None for a
    plan without a municipality (made before municipalities were recorded)."""
    if access.plan.municipality_id is None:
        return None
    return db.session.scalar(
        select(CoordinatingUnit).where(CoordinatingUnit.municipality_id == access.plan.municipality_id)
    )


def coordinators(access: MunicipalityAccess) -> list[StaffMembership]:
    """The municipality's coordinator roles, the current ones first, then the ended, newest first;
    with who added and ended each, in one query."""
    query = (
        select(StaffMembership)
        .where(StaffMembership.municipality_id == access.municipality.id, StaffMembership.role == StaffRole.COORDINATOR)
        .options(joinedload(StaffMembership.added_by), joinedload(StaffMembership.ended_by))
        .order_by(StaffMembership.ended_at.is_not(None), StaffMembership.ended_at.desc(), StaffMembership.added_at.desc())
    )
    return db.session.scalars(query).unique().all()


def active_coordinator(access: MunicipalityAccess, staff_id: uuid.UUID) -> StaffMembership | None:
    """One of this municipality's current coordinators; None for another municipality's, whatever the id."""
    return db.session.scalar(select(StaffMembership).where(
        StaffMembership.public_id == staff_id,
        StaffMembership.municipality_id == access.municipality.id,
        StaffMembership.role == StaffRole.COORDINATOR,
        StaffMembership.ended_at.is_(None),
    ))
