"""Plain-language pages anyone may read, logged in or not."""

from __future__ import annotations

from flask import Blueprint, render_template

from patient_app.access import public

bp = Blueprint("about", __name__)


@bp.get("/about-individual-plan")
@public
def individual_plan():
    return render_template("views/about/individual-plan.html")
