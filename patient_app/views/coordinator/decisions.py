"""Adding and changing service decisions."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from patient_app.access import PlanAccess
from patient_app.forms.plan import DecisionForm
from patient_app.models import DecisionStatus, ServiceDecision
from patient_app.parts import decisions
from patient_app.views.coordinator._blueprint import (
    ItemPages, add_item_pages, drop_guardian_choice, guardian_choice, stripped,
)
TEXTS = ("service", "decided_by", "extent")
DATES = ("decided_on", "valid_from", "valid_to", "answer_due", "appeal_deadline")


def decision_form(access: PlanAccess, decision: ServiceDecision | None) -> DecisionForm:
    form = DecisionForm(obj=decision) if decision else DecisionForm()
    if decision and request.method == "GET":
        form.status.data = decision.status.value
    drop_guardian_choice(form, access)
    return form


def decision_values(form: DecisionForm) -> dict:
    return {
        **{name: stripped(form[name].data) for name in TEXTS},
        **{name: form[name].data for name in DATES},
        "status": DecisionStatus(form.status.data),
        "note": form.note.data or "",
        **guardian_choice(form),
    }


add_item_pages(ItemPages(
    name="decision", path="decisions", model=ServiceDecision, section="decisions", form=decision_form,
    values=lambda access, form: decision_values(form),
    add=decisions.add_decision, change=decisions.change_decision,
    added=lambda decision: _("Vedtaket om «%(service)s» er lagt til.", service=decision.service),
    saved=lambda decision: _("Vedtaket om «%(service)s» er lagret.", service=decision.service),
))
