"""The plan's history: who changed what, when, from what to what.

Everyone who may see a part of the plan may see how it changed; the list is
filtered by the same policy as the pages (queries.plan_changes).
"""

from __future__ import annotations

import datetime as dt
import uuid

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from patient_app import queries, whats_new
from patient_app.access import Part, PlanAccess, plan_part
from patient_app.forms.plan import DECISION_STATUS_LABELS, GOAL_STATUS_LABELS
from patient_app.models import DecisionStatus, GoalStatus, PlanChange
from patient_app.parts import ITEM_TYPES
from patient_app.templating import long_date, long_datetime

bp = Blueprint("changes", __name__)


def _tracked(change: PlanChange):
    item_type = ITEM_TYPES.get(change.item_type)
    return item_type.field(change.field) if item_type else None


def field_label(change: PlanChange) -> str:
    tracked = _tracked(change)
    return str(tracked.label) if tracked else change.field


def shown_value(change: PlanChange, value: str) -> str:
    """The stored text form, written out for people."""
    tracked = _tracked(change)
    if tracked is not None and tracked.private:
        return ""
    if value == "":
        return str(_l("(tomt)"))
    try:
        if change.kind == "date":
            return long_date(dt.date.fromisoformat(value))
        if change.kind == "datetime":
            return long_datetime(dt.datetime.fromisoformat(value))
        if change.kind == "bool":
            return str(_l("Ja") if value == "1" else _l("Nei"))
        if change.kind == "goal_status":
            return str(GOAL_STATUS_LABELS[GoalStatus(value)])
        if change.kind == "decision_status":
            return str(DECISION_STATUS_LABELS[DecisionStatus(value)])
    except (KeyError, ValueError):
        pass
    return value


def item_url(access: PlanAccess, change: PlanChange) -> str:
    """Where the item is shown in the plan."""
    return ITEM_TYPES[change.item_type].url(access, change.item_public_id)


bp.add_app_template_filter(field_label, "change_field")
bp.add_app_template_filter(shown_value, "change_value")
bp.add_app_template_global(item_url, "changed_item_url")
bp.add_app_template_global(
    lambda change: ITEM_TYPES[change.item_type].label if change.item_type in ITEM_TYPES else "", "changed_item_kind"
)
# For pages that mark what is new since the last visit: {% if is_new(access, goal) %}…{% endif %}
bp.add_app_template_global(whats_new.is_new, "is_new")


@bp.get("/plan/<uuid:plan_id>/changes")
@plan_part(Part.OVERVIEW)
def index(access: PlanAccess):
    return render_template("views/changes/index.html", access=access, changes=queries.plan_changes(access))


@bp.get("/plan/<uuid:plan_id>/changes/<uuid:item_id>")
@plan_part(Part.OVERVIEW)
def item(access: PlanAccess, item_id: uuid.UUID):
    # An item without changes this person may see gets the same empty page as one that
    # does not exist, so ids cannot be probed.
    changes = queries.plan_changes(access, item_public_id=item_id)
    return render_template(
        "views/changes/item.html", access=access, changes=changes, latest=changes[0] if changes else None
    )
