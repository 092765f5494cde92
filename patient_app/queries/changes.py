"""The plan's history, as each reader may see it."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from patient_app.access import PlanAccess
from patient_app.extensions import db
from patient_app.parts import ITEM_TYPES


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
