"""Plain-language pages anyone may read, logged in or not."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from patient_app.access import public

bp = Blueprint("about", __name__)


@bp.get("/about-individual-plan")
@public
def individual_plan():
    return render_template("views/about/individual-plan.html")


@bp.get("/accessibility-statement")
@public
def accessibility_statement():
    from patient_app import accessibility

    return render_template(
        "views/about/accessibility-statement.html",
        a11y=accessibility,
        checks=accessibility.check_texts(),
        feedback_email=current_app.config["ACCESSIBILITY_FEEDBACK_EMAIL"],
    )
