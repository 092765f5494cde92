"""What every query module shares: statements built once per kind of reader, and one item of a plan."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import Select, bindparam, select

from patient_app.access import PlanAccess, visible_to
from patient_app.extensions import db


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
