"""The plan's own pages: goals, measures, service decisions and consent."""

from __future__ import annotations

from flask import Blueprint, render_template

from patient_app import queries
from patient_app.access import Part, plan_part

bp = Blueprint("plan", __name__)


@bp.get("/plan/<uuid:plan_id>/goals")
@plan_part(Part.GOALS)
def goals(access):
    return render_template("views/plan/goals.html", access=access, goals=queries.goals_with_steps(access))


@bp.get("/plan/<uuid:plan_id>/measures")
@plan_part(Part.MEASURES)
def measures(access):
    current, other = queries.measures_now_and_other(access)
    return render_template("views/plan/measures.html", access=access, current=current, other=other)


@bp.get("/plan/<uuid:plan_id>/decisions")
@plan_part(Part.DECISIONS)
def decisions(access):
    return render_template(
        "views/plan/decisions.html", access=access, decisions=queries.service_decisions(access)
    )


@bp.get("/plan/<uuid:plan_id>/about-this-plan")
@plan_part(Part.CONSENT)
def about_this_plan(access):
    return render_template(
        "views/plan/about-this-plan.html",
        access=access,
        consents=queries.consents(access),
        coordinator=queries.coordinator(access),
    )


@bp.get("/plan/<uuid:plan_id>/print")
@plan_part(Part.PRINT)
def print_version(access):
    """The whole plan on paper; only the patient, guardians and the coordinator (docs/domain.md, Printing)."""
    current, other = queries.measures_now_and_other(access)
    return render_template(
        "views/plan/print.html",
        access=access,
        goals=queries.goals_with_steps(access),
        measures=current + other,
        decisions=queries.service_decisions(access),
        upcoming=queries.upcoming_meetings(access),
        participants=queries.participants(access),
        crisis_plan=queries.crisis_plan(access),
        coordinator=queries.coordinator(access),
    )
