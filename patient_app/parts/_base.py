"""What every part declares, and the one way plan items are added and changed (see __init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import LazyString, lazy_gettext as _l

from patient_app import history
from patient_app.access import Part, PlanAccess
from patient_app.extensions import db
from patient_app.models._base import utcnow


@dataclass(frozen=True)
class Tracked:
    """A field whose every change the plan's history keeps."""

    name: str
    kind: str  # how the stored text is shown: text, date, datetime, bool, goal_status, …
    label: LazyString
    value: Callable[[Any], Any] | None = None  # when the value is not a plain attribute
    private: bool = False  # shown as "changed" without values (a number the contact hides)


# Items a child of 12–15 can ask to keep from their guardians have this field.
HIDDEN_FROM_GUARDIANS = Tracked("hidden_from_guardians", "bool", _l("Vises ikke for foresatte"))


@dataclass(frozen=True)
class ItemType:
    code: str  # PlanChange.item_type
    label: LazyString
    part: Part  # who may see this item's history: whoever may see the part
    name_of: Callable[[Any], str]  # what names the item in the history ("Målet «Gå tur»")
    endpoint: str  # where the item is shown
    id_argument: str | None = None  # the endpoint's argument taking the item's public id
    tracked: tuple[Tracked, ...] = field(default=())

    @property
    def history_fields(self) -> history.Fields:
        return {t.name: (t.kind, t.value) if t.value else t.kind for t in self.tracked}

    def field(self, name: str) -> Tracked | None:
        return next((t for t in self.tracked if t.name == name), None)

    def url(self, access: PlanAccess, public_id) -> str:
        arguments = {self.id_argument: public_id} if self.id_argument else {}
        return url_for(self.endpoint, plan_id=access.plan.public_id, **arguments)


def set_values(item: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(item, name, value)
    if hasattr(item, "updated_at"):
        item.updated_at = utcnow()


def add_item(access: PlanAccess, item_type: ItemType, item: Any, values: dict[str, Any]) -> Any:
    """A new item and its "created" entry in the plan's history, in one transaction."""
    set_values(item, values)
    db.session.add(item)
    db.session.flush()  # the history entry points at the item's public id
    history.record_created(access, item_type.code, item, item_type.name_of(item))
    return item


def change_item(access: PlanAccess, item_type: ItemType, item: Any, values: dict[str, Any], **shown_with) -> int:
    """Change an item; each tracked field that changed becomes one history entry."""
    fields = item_type.history_fields
    before = history.snapshot(item, fields)
    set_values(item, values)
    return history.record_update(access, item_type.code, item, item_type.name_of(item), before, fields, **shown_with)
