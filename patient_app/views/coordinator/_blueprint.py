"""The coordinator's workspace blueprint, and the one way its item pages work.

Every item page follows one pattern (``item_page``): GET shows the form; a valid POST
hands the values to the part's module in patient_app/parts (which writes the item and its
history), confirms, and returns to the plan's section; an invalid POST shows the same page
with the errors at their fields and what was typed kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from patient_app import queries
from patient_app.access import PlanAccess, guardians_may_be_refused

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")

PLAN = "/plan/<uuid:plan_id>"


@dataclass(frozen=True)
class ItemPage:
    template: str  # views/coordinator/<item>.html
    item_name: str  # what the template calls the item: goal, measure, …
    section: str  # where on the plan's page to return to


def item_page(access: PlanAccess, page: ItemPage, form, item, save: Callable[[], str]):
    """``save`` stores the form's values and returns the confirmation to show."""
    if form.validate_on_submit():
        flash(save())
        return plan_home(access, page.section)
    return render_form(page.template, access, form, **{page.item_name: item})


def render_form(template: str, access: PlanAccess, form, **context):
    return render_template(template, coordinating=access, form=form, **context)


def plan_home(access: PlanAccess, section: str | None = None):
    return redirect(url_for("coordinator.plan", plan_id=access.plan.public_id, _anchor=section))


def item_or_404(access: PlanAccess, model, public_id: uuid.UUID):
    return queries.item_of_plan(access, model, public_id) or abort(404)


def drop_guardian_choice(form, access: PlanAccess) -> None:
    """Only a child of 12–15 can have things kept from guardians; elsewhere the box would mislead."""
    if not guardians_may_be_refused(access.plan) and "hidden_from_guardians" in form:
        del form.hidden_from_guardians


def guardian_choice(form) -> dict:
    """The box's value, where the form has it."""
    return {"hidden_from_guardians": form.hidden_from_guardians.data} if "hidden_from_guardians" in form else {}


def stripped(value: str | None) -> str:
    return (value or "").strip()
