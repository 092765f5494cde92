"""The access policy for a calendar app, which has no session (the rest is access.py).

A phone's calendar polls the private address without cookies; the long random token in
the address stands in for the login, and is checked as strictly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import wraps

from flask import Response, abort
from sqlalchemy import select

from patient_app.access import Part, PlanAccess, membership_is_active
from patient_app.extensions import db
from patient_app.models import CalendarFeed
from patient_app.times import today_in_oslo


CALENDAR_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")


def calendar_feed_access(token: str, today: dt.date | None = None) -> tuple[CalendarFeed, PlanAccess] | None:
    """The feed this token opens and the access behind it, or None.

    None for an unknown or withdrawn address, and the moment the membership
    behind it ends (withdrawn or expired grant, a child who turned 16) or may
    no longer see the meetings (a grant narrowed to messages). A grant given
    again or changed starts anew (patient_app/sharing.py resets its
    created_at), and so must the address.
    """
    if not CALENDAR_TOKEN_PATTERN.match(token):
        return None
    feed = db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.token_hash == calendar_token_hash(token), CalendarFeed.revoked_at.is_(None))
    )
    if feed is None:
        return None
    membership = feed.membership
    if not membership_is_active(membership, membership.plan.owner, today or today_in_oslo()):
        return None
    if feed.created_at < membership.created_at:
        return None  # made under an earlier grant: a grant given again, or changed, needs a new address
    access = PlanAccess(plan=membership.plan, membership=membership)
    if not access.may_view(Part.CALENDAR):
        return None
    return feed, access


def calendar_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _no_such_calendar():
    """The one answer to every address that does not open a feed, whatever the reason."""
    return Response("Not found\n", status=404, mimetype="text/plain", headers={"Cache-Control": "no-store"})


def calendar_token(view):
    """No login: the ``token`` in the URL must open an active feed (calendar_feed_access); otherwise 404.

    The view receives ``feed`` and ``access`` (the feed's membership's PlanAccess)
    instead of ``token``.
    """
    @wraps(view)
    def wrapper(*args, token: str, **kwargs):
        found = calendar_feed_access(token)
        if found is None:
            abort(_no_such_calendar())
        feed, access = found
        return view(*args, feed=feed, access=access, **kwargs)

    wrapper.access_rule = "calendar_token"
    return wrapper


