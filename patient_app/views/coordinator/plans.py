"""The plans I coordinate, and one plan's workspace page."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from patient_app import queries
from patient_app.access import PlanAccess, coordinated_plans, coordinates_plan, coordinator_workspace, guardians_may_be_refused
from patient_app.views.coordinator._blueprint import PLAN, bp


@bp.get("/")
@coordinator_workspace
def index():
    accesses = coordinated_plans(current_user)
    summaries = queries.coordinator_summaries(accesses)
    return render_template("views/coordinator/index.html", summaries=summaries)


@bp.get(f"{PLAN}/")
@coordinates_plan
def plan(access: PlanAccess):
    upcoming, past = queries.meetings_upcoming_and_past(access)
    return render_template(
        "views/coordinator/plan.html",
        coordinating=access,
        proposals=[p for p in queries.proposals(access) if p.is_waiting],
        threads=queries.message_threads(access),
        goals=queries.goals_with_steps(access),
        measures=queries.measures(access),
        decisions=queries.service_decisions(access),
        upcoming=upcoming,
        past=past,
        crisis_plan=queries.crisis_plan(access),
        participants=queries.participants(access),
        may_hide=guardians_may_be_refused(access.plan),
    )
