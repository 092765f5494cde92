"""Private calendar addresses: turning one on, replacing it, turning it off, noting its use,
and which meetings the address holds.

One address per membership at a time. The token is made here, shown once and
never stored: only its sha256 is (access_calendar.calendar_token_hash), so a copy of the
database opens no calendar. Who may have one, and whether an address still
opens, is decided in patient_app/access.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from sqlalchemy import select, update

from patient_app import queries
from patient_app.access import PlanAccess
from patient_app.access_calendar import calendar_token_hash
from patient_app.access_log import record_calendar_fetch
from patient_app.extensions import db
from patient_app.models import CalendarFeed, Meeting
from patient_app.models._base import utcnow

log = logging.getLogger(__name__)

# A calendar polls every few minutes to every few hours; the last use is worth
# knowing to the hour, not worth a database write per poll.
LAST_USED_RESOLUTION = dt.timedelta(hours=1)

# How far back the feed reaches; every upcoming meeting is in it. A phone's calendar is
# synced to a cloud (iCloud, Google, Microsoft), outside Min plan's protection, and
# even when and where someone met about their plan is health-related: the calendar
# should hold as little of that history as it needs. Three months covers looking back
# at a recent meeting; older ones drop out of the feed, and the calendar removes them.
FEED_HISTORY = dt.timedelta(days=90)


def active_feed(access: PlanAccess) -> CalendarFeed | None:
    return db.session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.membership_id == access.membership.id, CalendarFeed.revoked_at.is_(None)
        )
    )


def turn_on(access: PlanAccess) -> str:
    """A new address for this membership; any earlier one stops working. Returns the token, to show once."""
    _withdraw_all(access)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(membership_id=access.membership.id, token_hash=calendar_token_hash(token))
    db.session.add(feed)
    db.session.commit()
    # Who made a new way into the meetings, and when: the feed's id, never the token.
    log.info("calendar address turned on", extra={"plan": str(access.plan.public_id), "feed": str(feed.public_id)})
    return token


def turn_off(access: PlanAccess) -> None:
    _withdraw_all(access)
    db.session.commit()
    log.info("calendar address turned off", extra={"plan": str(access.plan.public_id)})


def _withdraw_all(access: PlanAccess) -> None:
    db.session.execute(
        update(CalendarFeed)
        .where(CalendarFeed.membership_id == access.membership.id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def note_use(feed: CalendarFeed, access: PlanAccess, now: dt.datetime | None = None) -> None:
    """Remember when the address was last used, at most once an hour, and put a fetch of
    someone else's address in the plan's access log (access_log.record_calendar_fetch, at most
    once a day): one commit when either is due, none otherwise."""
    now = now or utcnow()
    logged = record_calendar_fetch(feed, access, now)
    if feed.last_used_at is None or now - feed.last_used_at >= LAST_USED_RESOLUTION:
        feed.last_used_at = now
    elif not logged:
        return
    db.session.commit()


def feed_meetings(access: PlanAccess, now: dt.datetime | None = None) -> list[Meeting]:
    """The meetings in the feed: those this membership may see that start FEED_HISTORY ago or later."""
    return queries.meetings_since(access, (now or utcnow()) - FEED_HISTORY)
