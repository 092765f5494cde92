"""The plan's history: who changed what, when, from what to what.

Everyone who may see a part of the plan may see how it changed; the list is
filtered by the same policy as the pages (queries.plan_changes).
"""

from __future__ import annotations

import datetime as dt
import uuid

from flask import Blueprint, render_template, url_for
from flask_babel import lazy_gettext as _l

from patient_app import queries, whats_new
from patient_app.access import Part, PlanAccess, plan_part
from patient_app.forms.plan import DECISION_STATUS_LABELS, GOAL_STATUS_LABELS
from patient_app.models import DecisionStatus, GoalStatus, PlanChange
from patient_app.templating import long_date, long_datetime

bp = Blueprint("history", __name__)

FIELD_LABELS = {
    "title": _l("Tittel"),
    "description": _l("Beskrivelse"),
    "status": _l("Status"),
    "parent_id": _l("Delmål under"),
    "hidden_from_guardians": _l("Vises ikke for foresatte"),
    "extent": _l("Hvor mye"),
    "how": _l("Slik gjøres det"),
    "responsible_id": _l("Ansvarlig"),
    "start_date": _l("Fra dato"),
    "end_date": _l("Til dato"),
    "goal_id": _l("Hører til målet"),
    "service": _l("Tjeneste"),
    "decided_by": _l("Hvem bestemmer"),
    "decided_on": _l("Vedtaksdato"),
    "valid_from": _l("Gjelder fra"),
    "valid_to": _l("Gjelder til"),
    "answer_due": _l("Svar ventes innen"),
    "appeal_deadline": _l("Frist for å klage"),
    "note": _l("Merknad"),
    "starts_at": _l("Tidspunkt"),
    "ends_at": _l("Slutter"),
    "location": _l("Sted"),
    "video_url": _l("Videomøte"),
    "invitees": _l("Hvem kommer"),
    "agenda": _l("Hva dere skal snakke om"),
    "cancelled": _l("Avlyst"),
    "body": _l("Referat"),
    "warning_signs": _l("Tegn på at jeg har det vanskelig"),
    "what_i_can_do": _l("Dette kan jeg gjøre selv"),
    "what_others_can_do": _l("Dette vil jeg at andre gjør"),
    "practical_matters": _l("Praktiske ting"),
    "contacts": _l("Hvem jeg ringer"),
    "name": _l("Navn"),
    "role_title": _l("Rolle"),
    "organisation": _l("Arbeidssted"),
    "phone": _l("Telefon"),
    "show_phone": _l("Telefon vises"),
    "email": _l("E-post"),
    "show_email": _l("E-post vises"),
    "in_responsibility_group": _l("Med i ansvarsgruppen"),
    "period_start": _l("Planen gjelder fra"),
    "period_end": _l("Planen gjelder til"),
    "next_review": _l("Neste gjennomgang"),
    "strengths": _l("Dette er jeg god på"),
    "needs": _l("Hva jeg trenger hjelp til"),
    "own_contribution": _l("Hva jeg selv bidrar med"),
    "relatives_contribution": _l("Hva de pårørende bidrar med"),
    "cooperation": _l("Samarbeid med andre tjenester"),
    "language_and_culture": _l("Språk og kultur"),
}

ITEM_TYPE_LABELS = {
    "goal": _l("Mål"),
    "measure": _l("Tiltak"),
    "decision": _l("Vedtak"),
    "meeting": _l("Møte"),
    "minutes": _l("Referat"),
    "crisis_plan": _l("Kriseplan"),
    "participant": _l("Kontakt"),
    "plan": _l("Om planen"),
}

# Shown as "changed" without values: a contact's number may be one they chose not to show.
PRIVATE_FIELDS = {("participant", "phone"), ("participant", "email")}


def field_label(change: PlanChange) -> str:
    return str(FIELD_LABELS.get(change.field, change.field))


def shown_value(change: PlanChange, value: str) -> str:
    """The stored text form, written out for people."""
    if (change.item_type, change.field) in PRIVATE_FIELDS:
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
    plan_id = access.plan.public_id
    if change.item_type in ("meeting", "minutes"):
        return url_for("meetings.show", plan_id=plan_id, meeting_id=change.item_public_id)
    endpoint = {
        "goal": "plan.goals",
        "measure": "plan.measures",
        "decision": "plan.decisions",
        "crisis_plan": "crisis.show",
        "participant": "contacts.index",
        "plan": "plan.about_this_plan",
    }[change.item_type]
    return url_for(endpoint, plan_id=plan_id)


bp.add_app_template_filter(field_label, "change_field")
bp.add_app_template_filter(shown_value, "change_value")
bp.add_app_template_global(item_url, "changed_item_url")
bp.add_app_template_global(lambda change: ITEM_TYPE_LABELS.get(change.item_type, ""), "changed_item_kind")
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
