"""The crisis plan: signs, what helps, whom to call (docs/domain.md, The crisis plan).
It has no id of its own in URLs, so its history hangs on the plan's."""

from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l

from patient_app import history
from patient_app.access import Part, PlanAccess
from patient_app.extensions import db
from patient_app.models import CrisisContact, CrisisPlan
from patient_app.parts._base import ItemType, Tracked, set_values

CRISIS_PLAN = ItemType(
    code="crisis_plan", label=_l("Kriseplan"), part=Part.CRISIS_PLAN, name_of=lambda crisis: _("Kriseplan"),
    endpoint="crisis.show",
    tracked=(
        Tracked("warning_signs", "text", _l("Tegn på at jeg har det vanskelig")),
        Tracked("what_i_can_do", "text", _l("Dette kan jeg gjøre selv")),
        Tracked("what_others_can_do", "text", _l("Dette vil jeg at andre gjør")),
        Tracked("practical_matters", "text", _l("Praktiske ting")),
        Tracked("contacts", "text", _l("Hvem jeg ringer"), value=lambda c: [f"{x.name} ({x.phone})" for x in c.contacts]),
    ),
)
TEXTS = ("warning_signs", "what_i_can_do", "what_others_can_do", "practical_matters")


def save_crisis_plan(access: PlanAccess, crisis: CrisisPlan | None, texts: dict[str, str],
                     contacts: list[dict[str, str]]) -> CrisisPlan:
    """The whole crisis plan as the form shows it: its texts, and its contacts in order."""
    shown_with = dict(public_id=access.plan.public_id, hidden=False)
    created = crisis is None
    if created:
        crisis = CrisisPlan(plan_id=access.plan.id)
        db.session.add(crisis)
        db.session.flush()
    fields = CRISIS_PLAN.history_fields
    before = history.snapshot(crisis, fields)
    for contact in list(crisis.contacts):
        db.session.delete(contact)  # replaced by the rows as the form shows them now
    new_contacts = [CrisisContact(position=position, **contact) for position, contact in enumerate(contacts)]
    set_values(crisis, {**texts, "contacts": new_contacts})
    label = CRISIS_PLAN.name_of(crisis)
    if created:
        history.record_created(access, CRISIS_PLAN.code, crisis, label, **shown_with)
    else:
        history.record_update(access, CRISIS_PLAN.code, crisis, label, before, fields, **shown_with)
    db.session.commit()
    return crisis
