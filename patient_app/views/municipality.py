"""The coordinating unit's administrators: who the municipality's coordinators are, adding and ending them."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from patient_app import queries
from patient_app.access_municipality import administers_municipality
from patient_app.forms.municipality import CoordinatorForm
from patient_app.models import StaffRole
from patient_app.municipalities import add_staff, end_staff_role, has_active_role
from patient_app.views._register import registered_person

bp = Blueprint("municipality", __name__)


@bp.get("/municipality/<number>/")
@administers_municipality
def index(access):
    return render_template("views/municipality/index.html", admin=access, coordinators=queries.coordinators(access))


def _already_coordinator(access, form: CoordinatorForm, name: str) -> bool:
    """True, with the reason at the field, when the person is a coordinator here already."""
    if not has_active_role(access.municipality, form.national_id.data, StaffRole.COORDINATOR):
        return False
    form.national_id.errors.append(_("%(name)s er allerede koordinator i kommunen.", name=name))
    return True


def _new_page(access, form: CoordinatorForm, status: int = 200):
    return render_template("views/municipality/new-coordinator.html", admin=access, form=form), status


@bp.route("/municipality/<number>/coordinators/new", methods=["GET", "POST"])
@administers_municipality
def new_coordinator(access):
    """Type the number; the register's name is shown to confirm, nothing is saved yet."""
    form = CoordinatorForm()
    if form.validate_on_submit() and (person := registered_person(form.national_id)) is not None \
            and not _already_coordinator(access, form, person.name):
        return render_template("views/municipality/confirm-coordinator.html", admin=access, form=form, person=person)
    return _new_page(access, form, 400 if form.errors else 200)


@bp.post("/municipality/<number>/coordinators/new/confirm")
@administers_municipality
def confirm_new_coordinator(access):
    form = CoordinatorForm()
    if not form.validate_on_submit():
        return _new_page(access, form, 400)
    if "change" in request.form:
        return _new_page(access, form)
    # Asked again, not taken from the page: the name saved is the register's.
    person = registered_person(form.national_id)
    if person is None:
        return _new_page(access, form, 400)
    added = add_staff(access.municipality, form.national_id.data, person.name, StaffRole.COORDINATOR, current_user)[1]
    if added:
        flash(_("%(name)s er nå koordinator i kommunen.", name=person.name))
    else:
        flash(_("%(name)s er allerede koordinator i kommunen.", name=person.name))
    return redirect(url_for("municipality.index", number=access.municipality.number))


@bp.route("/municipality/<number>/coordinators/<uuid:staff_id>/end", methods=["GET", "POST"])
@administers_municipality
def end_coordinator(access, staff_id: uuid.UUID):
    membership = queries.active_coordinator(access, staff_id)
    if membership is None:
        abort(404)
    if request.method == "POST":
        if end_staff_role(membership, current_user):
            flash(_("%(name)s er ikke lenger koordinator i kommunen.", name=membership.person.name))
        else:
            flash(_("%(name)s var allerede tatt bort som koordinator.", name=membership.person.name))
        return redirect(url_for("municipality.index", number=access.municipality.number))
    return render_template("views/municipality/confirm-end.html", admin=access, membership=membership)
