"""The plan period, its review, and the texts about the plan."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _

from patient_app.access import PlanAccess, coordinates_plan
from patient_app.forms.plan import AboutThisPlanForm
from patient_app.parts import about
from patient_app.views.coordinator._blueprint import PLAN, bp, plan_home, render_form

DATES = ("period_start", "period_end", "next_review")
TEXTS = ("strengths", "needs", "own_contribution", "relatives_contribution", "cooperation", "language_and_culture")


@bp.route(f"{PLAN}/about-this-plan", methods=["GET", "POST"])
@coordinates_plan
def about_this_plan(access: PlanAccess):
    form = AboutThisPlanForm(obj=access.plan)
    if form.validate_on_submit():
        about.change_about_this_plan(
            access, {**{name: form[name].data for name in DATES}, **{name: form[name].data or "" for name in TEXTS}}
        )
        flash(_("Planperioden og tekstene om planen er lagret."))
        return plan_home(access, "about")
    return render_form("views/coordinator/about-this-plan.html", access, form)
