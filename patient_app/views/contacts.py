"""The responsibility group and other contacts, with the details each chose to share."""

from __future__ import annotations

from flask import Blueprint, render_template

from patient_app import queries
from patient_app.access import Part, plan_part

bp = Blueprint("contacts", __name__)


@bp.get("/plan/<uuid:plan_id>/contacts")
@plan_part(Part.CONTACTS)
def index(access):
    return render_template("views/contacts/index.html", access=access, participants=queries.participants(access),
                           unit=queries.coordinating_unit(access))
