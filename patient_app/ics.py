"""Meetings as iCalendar (RFC 5545): one meeting to download, or a private feed of them.

What goes into a calendar file, and why so little: a phone's calendar is synced
to a cloud (iCloud, Google, Microsoft) and shown on lock screens and in
widgets, outside Min plan's protection. So an event holds only what it takes to
turn up:

- SUMMARY: "Møte om planen din" (or "Møte om planen til <first name>" for a
  relative or guardian), "Avlyst: …" when cancelled, in the person's language.
  Never the meeting's title, which the coordinator may have written with a
  health detail in it.
- DTSTART/DTEND in UTC (the calendar shows them in local time); an hour when
  the meeting has no end time.
- LOCATION: the meeting's place, or else its video link; URL: the video link.
- DESCRIPTION: only a link to the meeting in Min plan, which asks for a login.
- STATUS:CANCELLED for a cancelled meeting, so a calendar that has it removes
  or strikes it.
- UID: the meeting's public id, so a file downloaded twice and the feed
  describe the same event, and a moved meeting moves in the calendar.
- ORGANIZER: Min plan itself (CALENDAR_ORGANIZER, a no-reply address), as METHOD:PUBLISH
  requires one (RFC 5546, 3.2.1); never the coordinator, whose name says which service it is.

Never the agenda, the minutes, who is invited, or anything from the rest of the
plan. The feed holds every upcoming meeting but only the recent past
(calendar_feeds.FEED_HISTORY), for the same reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from flask import current_app, url_for
from flask_babel import force_locale, gettext as _
from icalendar import Calendar, Event, vCalAddress, vDuration

from patient_app.access import PlanAccess
from patient_app.linkify import has_space_or_control
from patient_app.models import Meeting
from patient_app.times import OSLO

PRODID = "-//Min plan//Møter//NB"
DEFAULT_LENGTH = dt.timedelta(hours=1)
FEED_REFRESH = dt.timedelta(hours=1)  # how often a subscribing calendar is asked to look again


def meeting_summary(access: PlanAccess, meeting: Meeting) -> str:
    if access.is_owner:
        summary = _("Møte om planen din")
    else:
        summary = _("Møte om planen til %(name)s", name=access.plan.owner.first_name)
    return _("Avlyst: %(summary)s", summary=summary) if meeting.cancelled else summary


def meeting_event(access: PlanAccess, meeting: Meeting, now: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"{meeting.public_id}@{current_app.config['CALENDAR_UID_DOMAIN']}")
    event.add("dtstamp", now)
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH)
    event.add("summary", meeting_summary(access, meeting))
    event.add("organizer", vCalAddress(current_app.config["CALENDAR_ORGANIZER"]), parameters={"CN": "Min plan"})
    # A link stored before the form refused line breaks in it is left out, not the whole calendar.
    link = meeting.video_url if not has_space_or_control(meeting.video_url or "") else ""
    if meeting.location or link:
        event.add("location", meeting.location or link)
    if link:
        event.add("url", link)
    page = url_for("meetings.show", plan_id=access.plan.public_id, meeting_id=meeting.public_id, _external=True)
    event.add("description", _("Se møtet i Min plan: %(url)s", url=page))
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if meeting.cancelled else "OPAQUE")
    return event


def calendar_bytes(access: PlanAccess, meetings: Iterable[Meeting], *, feed: bool) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if feed:
        calendar.add("x-wr-calname", _("Møter i Min plan"))
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(FEED_REFRESH).to_ical().decode())  # Outlook's name for it
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    for meeting in meetings:
        calendar.add_component(meeting_event(access, meeting, now))
    return calendar.to_ical()


def in_language_of(access: PlanAccess):
    """The feed has no session: texts in the language the person last chose."""
    chosen = access.membership.person.preferred_locale
    return force_locale(chosen if chosen in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"])


def download_filename(meeting: Meeting) -> str:
    """ASCII only, from the date: nothing from the title, which may say what the meeting is about."""
    day = meeting.starts_at.astimezone(OSLO).strftime("%Y-%m-%d")
    return re.sub(r"[^A-Za-z0-9.-]", "", f"mote-{day}.ics")


def calendar_response(body: bytes, filename: str):
    from flask import Response

    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
