"""Adding and changing service decisions."""

from __future__ import annotations

import uuid

from flask import request
from flask_babel import gettext as _

from patient_app.access import PlanAccess, coordinates_plan
from patient_app.forms.plan import DecisionForm
from patient_app.models import DecisionStatus, ServiceDecision
from patient_app.parts import decisions
from patient_app.views.coordinator._blueprint import (
    PLAN, ItemPage, bp, drop_guardian_choice, guardian_choice, item_or_404, item_page, stripped,
)

PAGE = ItemPage("views/coordinator/decision.html", "decision", "decisions")
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


@bp.route(f"{PLAN}/decisions/new", methods=["GET", "POST"])
@coordinates_plan
def new_decision(access: PlanAccess):
    form = decision_form(access, None)

    def save():
        decision = decisions.add_decision(access, decision_values(form))
        return _("Vedtaket om «%(service)s» er lagt til.", service=decision.service)

    return item_page(access, PAGE, form, None, save)


@bp.route(f"{PLAN}/decisions/<uuid:decision_id>", methods=["GET", "POST"])
@coordinates_plan
def edit_decision(access: PlanAccess, decision_id: uuid.UUID):
    decision = item_or_404(access, ServiceDecision, decision_id)
    form = decision_form(access, decision)

    def save():
        decisions.change_decision(access, decision, decision_values(form))
        return _("Vedtaket om «%(service)s» er lagret.", service=decision.service)

    return item_page(access, PAGE, form, decision, save)
