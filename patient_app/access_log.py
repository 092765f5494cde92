""""Hvem har sett planen": writing the access log, once per look rather than once per request.

Someone other than the patient looking at a part of the plan is logged
(access.plan_part calls record_view); a calendar app fetching a private
address is logged as a look at the calendar (calendar_feeds.py). Who may look
is decided by access.py; this module only writes down that they did.
"""

from __future__ import annotations

import datetime as dt
from time import time

from patient_app import login_sessions
from patient_app.access import Part, PlanAccess
from patient_app.extensions import db
from patient_app.models import AccessLogEntry, CalendarFeed
from patient_app.models._base import utcnow

VIEW_LOG_WINDOW_SECONDS = 15 * 60
VIEWS_LOGGED = "views_logged"


def record_view(access: PlanAccess, part: Part) -> None:
    """Log that someone other than the patient looked: at most one insert a request.

    A part seen again within the window (a page reloaded, a list polled every
    ten seconds) is not logged again. The login remembers what it logged, on the
    server: in the signed cookie it grew with every plan opened, until the
    browser dropped the cookie and the person was logged out.
    """
    if access.is_owner:
        return
    key = f"{access.plan.public_id}:{part.value}"
    now = time()
    if now - login_sessions.remembered(VIEWS_LOGGED).get(key, 0) < VIEW_LOG_WINDOW_SECONDS:
        return
    login_sessions.remember(VIEWS_LOGGED, key, now, keep=lambda _key, at: now - at < VIEW_LOG_WINDOW_SECONDS)
    db.session.add(access_log_entry(access, part))
    db.session.commit()


def access_log_entry(access: PlanAccess, part: Part, at: dt.datetime | None = None) -> AccessLogEntry:
    return AccessLogEntry(
        plan_id=access.plan.id, viewer_id=access.membership.person_id, role=access.role, part=part.value,
        at=at or utcnow(),
    )


# A calendar app fetches its private address day and night, every 15 minutes to every
# few hours. A relative's or guardian's calendar fetching the meetings is a view like
# any other, but a row per fetch, or even per hour, would bury the people on "Hvem har
# sett planen" (the newest 200 rows): one a day per address says that someone's calendar
# follows the meetings.
CALENDAR_FETCH_LOG_WINDOW = dt.timedelta(days=1)


def record_calendar_fetch(feed: CalendarFeed, access: PlanAccess, now: dt.datetime) -> bool:
    """Log a fetch of this address in the plan's access log as a view of the calendar,
    unless it is the patient's own or was logged less than CALENDAR_FETCH_LOG_WINDOW ago.

    The feed has no login to remember what was logged (record_view's way), so the
    address's own row does. Only adds to the database session, and says whether it did:
    the caller commits it with its own write (calendar_feeds.note_use).
    """
    if access.is_owner:
        return False
    if feed.access_logged_at is not None and now - feed.access_logged_at < CALENDAR_FETCH_LOG_WINDOW:
        return False
    feed.access_logged_at = now
    db.session.add(access_log_entry(access, Part.CALENDAR, at=now))
    return True
