"""The coordinator's workspace blueprint, and the one way its item pages work.

Every item page follows one pattern (``item_page``): GET shows the form; a valid POST
hands the values to the part's module in patient_app/parts (which writes the item and its
history), confirms, and returns to the plan's section; an invalid POST shows the same page
with the errors at their fields and what was typed kept. Goals, measures, decisions,
meetings and contacts each declare their pair of pages ("new" and "edit") as ``ItemPages``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from patient_app import queries
from patient_app.access import PlanAccess, coordinates_plan, guardians_may_be_refused

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


@dataclass(frozen=True)
class ItemPages:
    """A part's "new" and "edit" pages: /<path>/new and /<path>/<uuid:<name>_id>, with the
    endpoints new_<name> and edit_<name> and the template views/coordinator/<name>.html."""

    name: str
    path: str
    model: type
    section: str
    form: Callable  # (access, item or None) -> the form, filled in for GET
    values: Callable  # (access, form) -> what the part's module stores
    add: Callable  # (access, values) -> the new item
    change: Callable  # (access, item, values) -> None
    added: Callable[[object], str]  # the confirmation for a new item
    saved: Callable[[object], str]  # the confirmation for a changed one

    @property
    def page(self) -> ItemPage:
        return ItemPage(f"views/coordinator/{self.name}.html", self.name, self.section)


def add_item_pages(pages: ItemPages) -> None:
    def new(access: PlanAccess):
        form = pages.form(access, None)
        return item_page(access, pages.page, form, None, lambda: pages.added(pages.add(access, pages.values(access, form))))

    def edit(access: PlanAccess, **item_id):
        item = item_or_404(access, pages.model, item_id[f"{pages.name}_id"])
        form = pages.form(access, item)

        def save():
            pages.change(access, item, pages.values(access, form))
            return pages.saved(item)

        return item_page(access, pages.page, form, item, save)

    for view, rule in ((new, "new"), (edit, f"<uuid:{pages.name}_id>")):
        view.__name__ = f"{view.__name__}_{pages.name}"
        bp.add_url_rule(f"{PLAN}/{pages.path}/{rule}", view.__name__, coordinates_plan(view), methods=["GET", "POST"])


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
