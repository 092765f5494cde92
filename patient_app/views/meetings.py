"""Responsibility-group meetings and their published minutes."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, render_template

from patient_app import queries
from patient_app.access import Part, plan_part

bp = Blueprint("meetings", __name__)


@bp.get("/plan/<uuid:plan_id>/meetings")
@plan_part(Part.MEETINGS)
def index(access):
    upcoming, past = queries.meetings_upcoming_and_past(access)
    return render_template(
        "views/meetings/index.html",
        access=access,
        upcoming=upcoming,
        past=past,
        offer_subscription=access.may_view(Part.CALENDAR),
    )


@bp.get("/plan/<uuid:plan_id>/meetings/<uuid:meeting_id>")
@plan_part(Part.MEETINGS)
def show(access, meeting_id: uuid.UUID):
    meeting = queries.meeting(access, meeting_id)
    if meeting is None:
        abort(404)
    return render_template("views/meetings/show.html", access=access, meeting=meeting)
