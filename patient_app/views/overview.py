"""The first screen: what matters most in the plan right now."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from patient_app.access import Part, accessible_plans, plan_part, signed_in
from patient_app.access_municipality import administered_municipalities
from patient_app import queries, whats_new

bp = Blueprint("overview", __name__)


@bp.get("/plans")
@signed_in
def choose_plan():
    """Straight to the only plan (or the only municipality one administers); a choice when
    there are several. Staff log in like everyone, and start here too."""
    accesses = accessible_plans(current_user)
    administered = administered_municipalities(current_user)
    if len(accesses) + len(administered) == 0:
        return redirect(url_for("auth.no_plan"))
    if len(accesses) + len(administered) == 1:
        if administered:
            return redirect(url_for("municipality.index", number=administered[0].number))
        return redirect(url_for("overview.show", plan_id=accesses[0].plan.public_id))
    return render_template("views/plans/choose.html", accesses=accesses, administered=administered)


@bp.get("/plan/<uuid:plan_id>/")
@plan_part(Part.OVERVIEW)
def show(access):
    context = queries.overview(access)
    context["new_since_last_visit"] = whats_new.summary(whats_new.changes_since_last_visit(access))
    context["show_proposals"] = access.may_view(Part.PROPOSALS)
    return render_template("views/plan/overview.html", **context)
