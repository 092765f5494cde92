"""Measures: what will be done, how much, and who is responsible (docs/domain.md, The plan
and what it holds, e and f)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from patient_app.access import Part, PlanAccess
from patient_app.extensions import db
from patient_app.models import Measure
from patient_app.parts._base import HIDDEN_FROM_GUARDIANS, ItemType, Tracked, add_item, change_item

MEASURE = ItemType(
    code="measure", label=_l("Tiltak"), part=Part.MEASURES, name_of=lambda measure: measure.title,
    endpoint="plan.measures",
    tracked=(
        Tracked("title", "text", _l("Tittel")),
        Tracked("extent", "text", _l("Hvor mye")),
        Tracked("how", "text", _l("Slik gjøres det")),
        Tracked("responsible_id", "text", _l("Ansvarlig"), value=lambda m: m.responsible.name if m.responsible else ""),
        Tracked("start_date", "date", _l("Fra dato")),
        Tracked("end_date", "date", _l("Til dato")),
        Tracked("goal_id", "text", _l("Hører til målet"), value=lambda m: m.goal.title if m.goal else ""),
        HIDDEN_FROM_GUARDIANS,
    ),
)


def add_measure(access: PlanAccess, values: dict[str, Any]) -> Measure:
    item = add_item(access, MEASURE, Measure(plan_id=access.plan.id), values)
    db.session.commit()
    return item


def change_measure(access: PlanAccess, measure: Measure, values: dict[str, Any]) -> None:
    change_item(access, MEASURE, measure, values)
    db.session.commit()
