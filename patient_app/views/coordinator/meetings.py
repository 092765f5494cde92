"""Setting up and changing meetings, and writing and publishing their minutes."""

from __future__ import annotations

import datetime as dt
import uuid

from flask import flash, request
from flask_babel import gettext as _

from patient_app import queries
from patient_app.access import PlanAccess, coordinates_plan
from patient_app.times import OSLO
from patient_app.forms.meetings import MeetingForm, MinutesForm
from patient_app.models import Meeting
from patient_app.parts import meetings
from patient_app.views.coordinator._blueprint import (
    PLAN, ItemPages, add_item_pages, bp, drop_guardian_choice, guardian_choice, item_or_404, plan_home,
    render_form, stripped,
)
from patient_app.views.coordinator.measures import participant_choice

def in_oslo(day: dt.date, clock: dt.time) -> dt.datetime:
    """A date and time as people in Norway mean it, stored in UTC."""
    return dt.datetime.combine(day, clock, tzinfo=OSLO).astimezone(dt.timezone.utc)


def meeting_form(access: PlanAccess, meeting: Meeting | None) -> MeetingForm:
    form = MeetingForm(obj=meeting) if meeting else MeetingForm()
    form.invitees.choices = [participant_choice(p) for p in queries.participants(access)]
    if meeting and request.method == "GET":
        starts = meeting.starts_at.astimezone(OSLO)
        form.date.data = starts.date()
        form.starts.data = starts.time()
        form.ends.data = meeting.ends_at.astimezone(OSLO).time() if meeting.ends_at else None
        form.invitees.data = [str(p.public_id) for p in meeting.invitees]
    drop_guardian_choice(form, access)
    return form


def meeting_values(access: PlanAccess, form: MeetingForm) -> dict:
    chosen = set(form.invitees.data or [])
    return {
        "title": stripped(form.title.data),
        "starts_at": in_oslo(form.date.data, form.starts.data),
        "ends_at": in_oslo(form.date.data, form.ends.data) if form.ends.data else None,
        "location": stripped(form.location.data),
        "video_url": stripped(form.video_url.data),
        "invitees": [p for p in queries.participants(access) if str(p.public_id) in chosen],
        "agenda": form.agenda.data or "",
        "cancelled": form.cancelled.data,
        **guardian_choice(form),
    }


add_item_pages(ItemPages(
    name="meeting", path="meetings", model=Meeting, section="meetings", form=meeting_form, values=meeting_values,
    add=meetings.add_meeting, change=meetings.change_meeting,
    added=lambda meeting: _("Møtet «%(title)s» er satt opp.", title=meeting.title),
    saved=lambda meeting: _("Møtet «%(title)s» er lagret.", title=meeting.title),
))


@bp.route(f"{PLAN}/meetings/<uuid:meeting_id>/minutes", methods=["GET", "POST"])
@coordinates_plan
def minutes(access: PlanAccess, meeting_id: uuid.UUID):
    """Minutes are a draft until the coordinator publishes them; only then does the plan show them."""
    meeting = item_or_404(access, Meeting, meeting_id)
    form = MinutesForm(obj=meeting.minutes)
    if form.validate_on_submit():
        record = meetings.save_minutes(access, meeting, form.body.data, publish=request.form.get("action") == "publish")
        if record.is_published:
            flash(_("Referatet er publisert. Nå ser de andre i planen det."))
        else:
            flash(_("Utkastet er lagret. Ingen andre ser det før du publiserer."))
        return plan_home(access, "meetings")
    return render_form("views/coordinator/minutes.html", access, form, meeting=meeting, record=meeting.minutes)
