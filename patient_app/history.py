"""Recording changes to a plan as they are made, so the patient can see who changed what.

A view takes a ``snapshot`` of the fields it may change, applies the form,
and calls ``record_update``; rows are added to the same transaction as the
change itself, so a change and its history are stored together or not at all.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

from sqlalchemy import update

from patient_app.access import PlanAccess
from patient_app.extensions import db
from patient_app.models import PlanChange
from patient_app.models._base import utcnow

# field name -> kind, or (kind, getter) when the value is not a plain attribute
Fields = dict[str, "str | tuple[str, Callable[[Any], Any]]"]


def as_text(value: Any) -> str:
    """A stable text form: ISO dates, enum codes, names joined by commas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(as_text(v) for v in value)
    return str(value)


def snapshot(item: Any, fields: Fields) -> dict[str, tuple[str, str]]:
    values = {}
    for name, spec in fields.items():
        kind, getter = (spec, None) if isinstance(spec, str) else spec
        raw = getter(item) if getter else getattr(item, name)
        values[name] = (kind, as_text(raw))
    return values


def _row(access: PlanAccess, item_type: str, public_id, hidden: bool, label: str, action: str, **values) -> PlanChange:
    return PlanChange(
        plan_id=access.plan.id,
        changed_by_id=access.membership.person_id,
        changed_at=utcnow(),
        item_type=item_type,
        item_public_id=public_id,
        item_label=label[:300],
        action=action,
        hidden_from_guardians=hidden,
        **values,
    )


def _identity(item: Any, public_id, hidden) -> tuple:
    """Whose history this is: the item itself, or what it is shown with (minutes with their meeting)."""
    if public_id is None:
        public_id = item.public_id
    if hidden is None:
        hidden = bool(getattr(item, "hidden_from_guardians", False))
    return public_id, hidden


def record_created(access: PlanAccess, item_type: str, item: Any, label: str, *, public_id=None, hidden=None) -> None:
    db.session.add(_row(access, item_type, *_identity(item, public_id, hidden), label, "created"))


def record_event(
    access: PlanAccess, item_type: str, item: Any, label: str, action: str, *, public_id=None, hidden=None
) -> None:
    """Something that is not a field change: minutes published, a proposal approved."""
    db.session.add(_row(access, item_type, *_identity(item, public_id, hidden), label, action))


def record_update(
    access: PlanAccess,
    item_type: str,
    item: Any,
    label: str,
    before: dict[str, tuple[str, str]],
    fields: Fields,
    *,
    public_id=None,
    hidden=None,
) -> int:
    """One row per field that changed; returns how many changed."""
    public_id, hidden = _identity(item, public_id, hidden)
    after = snapshot(item, fields)
    changed = 0
    for name, (kind, old) in before.items():
        new = after[name][1]
        if old != new:
            db.session.add(_row(access, item_type, public_id, hidden, label, "updated",
                                field=name, kind=kind, old_value=old, new_value=new))
            changed += 1
    if "hidden_from_guardians" in before and before["hidden_from_guardians"][1] != after["hidden_from_guardians"][1]:
        # The history of something kept from guardians is kept from them too, and back.
        db.session.execute(
            update(PlanChange).where(PlanChange.item_public_id == public_id).values(hidden_from_guardians=hidden)
        )
    return changed
