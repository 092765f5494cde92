"""Adding and changing goals and their steps."""

from __future__ import annotations

import uuid

from flask import request
from flask_babel import gettext as _
from wtforms import SelectChoice

from patient_app import queries
from patient_app.access import PlanAccess
from patient_app.forms.plan import GoalForm
from patient_app.models import Goal, GoalStatus
from patient_app.parts import goals
from patient_app.views.coordinator._blueprint import (
    ItemPages, add_item_pages, drop_guardian_choice, guardian_choice, item_or_404, stripped,
)


def goal_form(access: PlanAccess, goal: Goal | None) -> GoalForm:
    form = GoalForm(obj=goal) if goal else GoalForm()
    main_goals = [g for g, _steps in queries.goals_with_steps(access) if goal is None or g.id != goal.id]
    form.parent.choices = [SelectChoice("", _("Nei, det er et hovedmål"))] + [
        SelectChoice(str(g.public_id), _("Ja, et delmål under «%(title)s»", title=g.title)) for g in main_goals
    ]
    if goal and request.method == "GET":
        form.status.data = goal.status.value
        parent = next((g for g in main_goals if g.id == goal.parent_id), None)
        form.parent.data = str(parent.public_id) if parent else ""
    drop_guardian_choice(form, access)
    return form


def goal_values(access: PlanAccess, form: GoalForm) -> dict:
    parent = item_or_404(access, Goal, uuid.UUID(form.parent.data)) if form.parent.data else None
    return {
        "title": stripped(form.title.data),
        "description": form.description.data or "",
        "status": GoalStatus(form.status.data),
        "parent_id": parent.id if parent else None,
        **guardian_choice(form),
    }


add_item_pages(ItemPages(
    name="goal", path="goals", model=Goal, section="goals", form=goal_form, values=goal_values,
    add=lambda access, values: goals.add_goal(access, len(queries.goals_with_steps(access)), values),
    change=goals.change_goal,
    added=lambda goal: _("Målet «%(title)s» er lagt til.", title=goal.title),
    saved=lambda goal: _("Målet «%(title)s» er lagret.", title=goal.title),
))
