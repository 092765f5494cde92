"""Adding and changing measures: what will be done, by whom, towards which goal."""

from __future__ import annotations

import uuid

from flask import request
from flask_babel import gettext as _
from wtforms import SelectChoice

from patient_app import queries
from patient_app.access import PlanAccess, coordinates_plan
from patient_app.forms.plan import MeasureForm
from patient_app.models import Goal, Measure, Participant
from patient_app.parts import measures
from patient_app.views.coordinator._blueprint import (
    PLAN, ItemPage, bp, drop_guardian_choice, guardian_choice, item_or_404, item_page, stripped,
)

PAGE = ItemPage("views/coordinator/measure.html", "measure", "measures")


def participant_choice(participant: Participant) -> SelectChoice:
    name = participant.name
    return SelectChoice(str(participant.public_id), f"{name}, {participant.role_title}" if participant.role_title else name)


def _goal_choices(access: PlanAccess) -> list[SelectChoice]:
    choices = [SelectChoice("", _("Ingen bestemt"))]
    for goal, steps in queries.goals_with_steps(access):
        choices.append(SelectChoice(str(goal.public_id), goal.title))
        choices += [SelectChoice(str(step.public_id), f"– {step.title}") for step in steps]
    return choices


def measure_form(access: PlanAccess, measure: Measure | None) -> MeasureForm:
    form = MeasureForm(obj=measure) if measure else MeasureForm()
    form.responsible.choices = [SelectChoice("", _("Ikke bestemt ennå"))] + [
        participant_choice(p) for p in queries.participants(access)
    ]
    form.goal.choices = _goal_choices(access)
    if measure and request.method == "GET":
        form.responsible.data = str(measure.responsible.public_id) if measure.responsible else ""
        form.goal.data = str(measure.goal.public_id) if measure.goal else ""
    drop_guardian_choice(form, access)
    return form


def measure_values(access: PlanAccess, form: MeasureForm) -> dict:
    chosen = form.responsible.data
    return {
        "title": stripped(form.title.data),
        "extent": stripped(form.extent.data),
        "how": form.how.data or "",
        "responsible": item_or_404(access, Participant, uuid.UUID(chosen)) if chosen else None,
        "goal": item_or_404(access, Goal, uuid.UUID(form.goal.data)) if form.goal.data else None,
        "start_date": form.start_date.data,
        "end_date": form.end_date.data,
        **guardian_choice(form),
    }


@bp.route(f"{PLAN}/measures/new", methods=["GET", "POST"])
@coordinates_plan
def new_measure(access: PlanAccess):
    form = measure_form(access, None)

    def save():
        measure = measures.add_measure(access, measure_values(access, form))
        return _("Tiltaket «%(title)s» er lagt til.", title=measure.title)

    return item_page(access, PAGE, form, None, save)


@bp.route(f"{PLAN}/measures/<uuid:measure_id>", methods=["GET", "POST"])
@coordinates_plan
def edit_measure(access: PlanAccess, measure_id: uuid.UUID):
    measure = item_or_404(access, Measure, measure_id)
    form = measure_form(access, measure)

    def save():
        measures.change_measure(access, measure, measure_values(access, form))
        return _("Tiltaket «%(title)s» er lagret.", title=measure.title)

    return item_page(access, PAGE, form, measure, save)
