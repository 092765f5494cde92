"""Writing the crisis plan with the patient."""

from __future__ import annotations

from flask import flash, request
from flask_babel import gettext as _

from patient_app import queries
from patient_app.access import PlanAccess, coordinates_plan
from patient_app.forms.crisis import MAX_CRISIS_CONTACTS, CrisisPlanForm
from patient_app.parts import crisis_plan
from patient_app.views.coordinator._blueprint import PLAN, bp, plan_home, render_form, stripped

CONTACT_FIELDS = ("name", "relation", "phone", "when_to_call")


def _form_showing(crisis) -> CrisisPlanForm:
    """What the plan says now, then one empty row for someone new while there is room
    (one row more than the form takes would fail inside WTForms: a 500 for a full list)."""
    data = {name: getattr(crisis, name) for name in crisis_plan.TEXTS}
    data["contacts"] = [{name: getattr(contact, name) for name in CONTACT_FIELDS} for contact in crisis.contacts]
    if len(data["contacts"]) < MAX_CRISIS_CONTACTS:
        data["contacts"].append({})
    return CrisisPlanForm(data=data)


@bp.route(f"{PLAN}/crisis-plan", methods=["GET", "POST"], endpoint="crisis_plan")
@coordinates_plan
def crisis_plan_page(access: PlanAccess):
    crisis = queries.crisis_plan(access)
    form = _form_showing(crisis) if request.method == "GET" and crisis else CrisisPlanForm()
    if form.validate_on_submit():
        crisis_plan.save_crisis_plan(
            access, crisis,
            texts={name: form[name].data or "" for name in crisis_plan.TEXTS},
            contacts=[{name: stripped(row.form[name].data) for name in CONTACT_FIELDS}
                      for row in form.contacts if not row.form.is_empty],
        )
        flash(_("Kriseplanen er lagret."))
        return plan_home(access, "crisis-plan")
    return render_form("views/coordinator/crisis-plan.html", access, form)
