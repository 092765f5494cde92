"""Adding and changing measures: what will be done, by whom, towards which goal."""

from __future__ import annotations

import uuid

from flask import request
from flask_babel import gettext as _
from wtforms import SelectChoice

from patient_app import queries
from patient_app.access import PlanAccess
from patient_app.forms.plan import MeasureForm
from patient_app.models import Goal, Measure, Participant
from patient_app.parts import measures
from patient_app.views.coordinator._blueprint import (
    ItemPages, add_item_pages, drop_guardian_choice, guardian_choice, item_or_404, stripped,
)


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


add_item_pages(ItemPages(
    name="measure", path="measures", model=Measure, section="measures", form=measure_form, values=measure_values,
    add=measures.add_measure, change=measures.change_measure,
    added=lambda measure: _("Tiltaket «%(title)s» er lagt til.", title=measure.title),
    saved=lambda measure: _("Tiltaket «%(title)s» er lagret.", title=measure.title),
))
