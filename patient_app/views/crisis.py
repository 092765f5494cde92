"""The crisis plan: one tap from every page, and it must open fast."""

from __future__ import annotations

from flask import Blueprint, render_template

from patient_app import queries
from patient_app.access import Part, plan_part

bp = Blueprint("crisis", __name__)


@bp.get("/plan/<uuid:plan_id>/crisis-plan")
@plan_part(Part.CRISIS_PLAN)
def show(access):
    return render_template("views/crisis-plan/page.html", access=access, crisis_plan=queries.crisis_plan(access))
