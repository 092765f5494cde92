"""Service decisions: what the person has been granted, by whom, and its deadlines."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from patient_app.access import Part, PlanAccess
from patient_app.extensions import db
from patient_app.models import ServiceDecision
from patient_app.parts._base import HIDDEN_FROM_GUARDIANS, ItemType, Tracked, add_item, change_item

DECISION = ItemType(
    code="decision", label=_l("Vedtak"), part=Part.DECISIONS, name_of=lambda decision: decision.service,
    endpoint="plan.decisions",
    tracked=(
        Tracked("service", "text", _l("Tjeneste")),
        Tracked("decided_by", "text", _l("Hvem bestemmer")),
        Tracked("status", "decision_status", _l("Status")),
        Tracked("extent", "text", _l("Hvor mye")),
        Tracked("decided_on", "date", _l("Vedtaksdato")),
        Tracked("valid_from", "date", _l("Gjelder fra")),
        Tracked("valid_to", "date", _l("Gjelder til")),
        Tracked("answer_due", "date", _l("Svar ventes innen")),
        Tracked("appeal_deadline", "date", _l("Frist for å klage")),
        Tracked("note", "text", _l("Merknad")),
        HIDDEN_FROM_GUARDIANS,
    ),
)


def add_decision(access: PlanAccess, values: dict[str, Any]) -> ServiceDecision:
    item = add_item(access, DECISION, ServiceDecision(plan_id=access.plan.id), values)
    db.session.commit()
    return item


def change_decision(access: PlanAccess, decision: ServiceDecision, values: dict[str, Any]) -> None:
    change_item(access, DECISION, decision, values)
    db.session.commit()
