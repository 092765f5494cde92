"""Meetings in the phone's calendar: one meeting as a file, or a private address the calendar follows.

What a calendar is given, and why so little, is in patient_app/ics.py.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, render_template, url_for

from patient_app import calendar_feeds, ics, queries
from patient_app.access import Part, plan_part
from patient_app.access_calendar import calendar_token
from patient_app.rate_limits import CALENDAR_FEED, limited

bp = Blueprint("calendar", __name__)


@bp.get("/plan/<uuid:plan_id>/meetings/<uuid:meeting_id>/calendar.ics")
@plan_part(Part.MEETINGS)
def meeting_file(access, meeting_id: uuid.UUID):
    """"Legg til i kalenderen": the one meeting, for the phone to open in its calendar."""
    meeting = queries.meeting(access, meeting_id)
    if meeting is None:
        abort(404)
    body = ics.calendar_bytes(access, [meeting], feed=False)
    return ics.calendar_response(body, ics.download_filename(meeting))


@bp.get("/plan/<uuid:plan_id>/calendar")
@plan_part(Part.CALENDAR)
def index(access):
    return _page(access)


@bp.post("/plan/<uuid:plan_id>/calendar")
@plan_part(Part.CALENDAR)
def turn_on(access):
    """Make a new address (replacing any earlier one) and show it, this once: only its hash is kept.

    The page is the answer to the post, not a redirect: the address must not
    travel through the session cookie or the URL.
    """
    token = calendar_feeds.turn_on(access)
    return _page(access, new_address=url_for("calendar.feed", token=token, _external=True))


@bp.post("/plan/<uuid:plan_id>/calendar/turn-off")
@plan_part(Part.CALENDAR)
def turn_off(access):
    calendar_feeds.turn_off(access)
    return _page(access, turned_off=True)


def _page(access, new_address: str | None = None, turned_off: bool = False):
    return render_template(
        "views/calendar/index.html",
        access=access,
        feed=calendar_feeds.active_feed(access),
        new_address=new_address,
        webcal_address=webcal(new_address) if new_address else None,
        turned_off=turned_off,
        history_days=calendar_feeds.FEED_HISTORY.days,
    )


def webcal(address: str) -> str:
    """The same address for "subscribe" links: phones hand webcal:// to their calendar app."""
    return "webcal://" + address.split("://", 1)[1]


# The one Norwegian path, kept: these addresses already sit in people's calendar apps, and a
# new path would silently stop every subscription (the English paths are only ever links).
@bp.get("/kalender/<token>.ics")
@calendar_token
@limited(CALENDAR_FEED)
def feed(feed, access):
    """The private address, polled by a calendar app without a session: the meetings this
    membership may see, from calendar_feeds.FEED_HISTORY back."""
    calendar_feeds.note_use(feed, access)
    meetings = calendar_feeds.feed_meetings(access)
    with ics.in_language_of(access):
        body = ics.calendar_bytes(access, meetings, feed=True)
    return ics.calendar_response(body, "min-plan.ics")
