"""Who sees my plan: the patient grants and withdraws relatives' access, and sees who has looked."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from patient_app import queries
from patient_app.access import Part, manages_sharing, membership_is_active, plan_part, today_in_oslo
from patient_app.rate_limits import GRANT, limited
from patient_app.forms.sharing import GrantForm
from patient_app.views._register import registered_person
from patient_app.sharing import grant_relative, is_number_of, old_enough_for_access, withdraw

bp = Blueprint("sharing", __name__)

@bp.get("/plan/<uuid:plan_id>/sharing")
@plan_part(Part.SHARING)
def index(access):
    today = today_in_oslo()
    memberships = queries.memberships_of_plan(access)
    active = [m for m in memberships if membership_is_active(m, access.plan.owner, today)]
    return render_template(
        "views/sharing/index.html",
        access=access,
        relatives=[m for m in active if m.role.value == "relative"],
        guardians=[m for m in active if m.role.value == "guardian"],
        coordinators=[m for m in active if m.role.value == "coordinator"],
        participants=[p for p in queries.participants(access) if not p.is_coordinator],
        events=queries.grant_events(access),
        manages=manages_sharing(access, today),
    )

def _refuse_unless_managing(access) -> None:
    """A child under 16 sees who has access, but the grant and withdraw pages are their guardians'."""
    if not manages_sharing(access, today_in_oslo()):
        abort(404)

def _grant_form(access) -> GrantForm:
    return GrantForm(owner_number_check=lambda number: is_number_of(access.plan.owner, number), today=today_in_oslo())

def _registered_person(form: GrantForm):
    """The register's entry for the number typed, or None with the reason added to the form."""
    entry = registered_person(form.national_id)
    if entry is not None and not old_enough_for_access(entry.birth_date, today_in_oslo()):
        form.national_id.errors.append(_("Personen er under 18 år. Bare voksne kan få tilgang til planen din."))
        return None
    return entry

@bp.route("/plan/<uuid:plan_id>/sharing/new", methods=["GET", "POST"])
@plan_part(Part.SHARING)
def new(access):
    """Type the number; the register's name is shown for the patient to confirm, nothing is saved yet."""
    _refuse_unless_managing(access)
    form = _grant_form(access)
    if form.validate_on_submit() and (person := _registered_person(form)) is not None:
        return render_template("views/sharing/confirm-grant.html", access=access, form=form, person=person)
    return render_template("views/sharing/new.html", access=access, form=form), (400 if form.errors else 200)

@bp.post("/plan/<uuid:plan_id>/sharing/new/confirm")
@plan_part(Part.SHARING)
@limited(GRANT)
def confirm_new(access):
    _refuse_unless_managing(access)
    form = _grant_form(access)
    if not form.validate_on_submit():
        return render_template("views/sharing/new.html", access=access, form=form), 400
    if "change" in request.form:
        return render_template("views/sharing/new.html", access=access, form=form)
    # Asked again, not taken from the page: the name saved is the register's.
    person = _registered_person(form)
    if person is None:
        return render_template("views/sharing/new.html", access=access, form=form), 400
    grant_relative(access, form.national_id.data, person.name, form.chosen_scopes(), form.valid_until.data)
    flash(_("%(name)s har fått tilgang til planen din.", name=person.name))
    return redirect(url_for("sharing.index", plan_id=access.plan.public_id))

@bp.route("/plan/<uuid:plan_id>/sharing/<uuid:membership_id>/withdraw", methods=["GET", "POST"])
@plan_part(Part.SHARING)
def withdraw_access(access, membership_id: uuid.UUID):
    _refuse_unless_managing(access)
    membership = queries.relative_membership(access, membership_id)
    if membership is None or membership.revoked_at is not None:
        abort(404)
    if request.method == "POST":
        withdraw(access, membership)
        flash(_("%(name)s har ikke lenger tilgang til planen din.", name=membership.person.name))
        return redirect(url_for("sharing.index", plan_id=access.plan.public_id))
    return render_template("views/sharing/confirm-withdraw.html", access=access, membership=membership)

@bp.get("/plan/<uuid:plan_id>/access-log")
@plan_part(Part.ACCESS_LOG)
def access_log(access):
    return render_template("views/sharing/access-log.html", access=access, entries=queries.access_log(access))
