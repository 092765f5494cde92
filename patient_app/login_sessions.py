"""Signed-in sessions kept on the server (models/sessions.py), so they can be listed and ended.

The signed cookie carries the LoginSession's public id. A request whose row is
missing, ended, idle too long or older than the absolute lifetime is signed
out, whatever the cookie says: logging out on one device takes effect on the
others at their very next request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from flask import current_app, g, request, session
from sqlalchemy import bindparam, select, update

from patient_app.device_labels import device_label
from patient_app.extensions import db
from patient_app.models import LoginSession, Person
from patient_app.models._base import utcnow

SESSION_KEY = "login_session"
CONTEXT_KEY = "acting_as"
# last_seen_at is written at most this often: one UPDATE a minute, not one a request.
LAST_SEEN_RESOLUTION = dt.timedelta(minutes=1)


def begin(
    person: Person, user_agent: str, started_at: dt.datetime | None = None, provider_sid: str | None = None
) -> LoginSession:
    """A new row for a login (or a rotation, which keeps the login's start), its id in the cookie."""
    row = LoginSession(
        person_id=person.id, device_label=device_label(user_agent), created_at=started_at or utcnow(),
        provider_sid_hash=provider_sid_hash(provider_sid) if provider_sid else None,
    )
    db.session.add(row)
    db.session.flush()
    session[SESSION_KEY] = str(row.public_id)
    return row


def cookie_data_for(person: Person, user_agent: str) -> dict:
    """What a login puts in the cookie, for tests, screenshots and benchmarks that skip ID-porten."""
    import time

    with current_app.test_request_context():  # the label is translated
        label = device_label(user_agent)
    row = LoginSession(person_id=person.id, device_label=label)
    db.session.add(row)
    db.session.commit()
    return {"_user_id": str(person.public_id), "_fresh": True, "signed_in_at": time.time(),
            SESSION_KEY: str(row.public_id)}


# Built once: every request runs it, and building the statement (and its cache key)
# anew each time cost about as much as running it.
LIVE_LOGIN = (
    select(Person, LoginSession)
    .join(LoginSession, LoginSession.person_id == Person.id)
    .where(Person.public_id == bindparam("person_key"), LoginSession.public_id == bindparam("session_key"),
           LoginSession.ended_at.is_(None))
)


def person_for_request(person_public_id: str) -> Person | None:
    """The user loader's one query: the person, only while the cookie's session row is live."""
    try:
        person_key = uuid.UUID(person_public_id)
        session_key = uuid.UUID(session.get(SESSION_KEY, ""))
    except (ValueError, TypeError):
        return None
    row = db.session.execute(LIVE_LOGIN, {"person_key": person_key, "session_key": session_key}).first()
    if row is None:
        return None
    person, login_session = row
    now = utcnow()
    if has_expired(login_session, now):
        end_rows([login_session.id], ended_at=now)
        db.session.commit()
        return None
    g.login_session = login_session
    if now - login_session.last_seen_at >= LAST_SEEN_RESOLUTION and not is_background_request():
        g.touch_login_session = login_session.id
    return person


def has_expired(login_session: LoginSession, now: dt.datetime) -> bool:
    """Past the absolute lifetime, or idle longer than the cookie may live (give or take the resolution)."""
    idle_limit = current_app.permanent_session_lifetime + LAST_SEEN_RESOLUTION
    absolute_limit = current_app.config["ABSOLUTE_SESSION_LIFETIME"]
    return now - login_session.created_at > absolute_limit or now - login_session.last_seen_at > idle_limit


def is_background_request() -> bool:
    """Polls and files fetched in the background are not the person being active."""
    from patient_app.security import IdleTimeoutSessionInterface

    return bool(request.headers.get("X-Background-Poll")) or (
        request.endpoint in IdleTimeoutSessionInterface.NO_COOKIE_ENDPOINTS
    )


def record_activity(response):
    """after_request: the throttled last_seen_at write, once the page is done.

    Whatever the view left uncommitted is discarded first, as the end of the
    request would discard it anyway.
    """
    row_id = g.pop("touch_login_session", None)
    if row_id is not None and 200 <= response.status_code < 500:
        db.session.rollback()
        db.session.execute(update(LoginSession).where(LoginSession.id == row_id).values(last_seen_at=utcnow()))
        db.session.commit()
    return response


def current() -> LoginSession | None:
    return g.get("login_session")


# What a login remembers between requests (columns of its row, see models/sessions.py).
REMEMBERED = ("seen_before", "views_logged")


def remembered(name: str) -> dict:
    """What this login has remembered under ``name``; nothing without a login row."""
    row = current()
    return (getattr(row, name) or {}) if row is not None else {}


def remember(name: str, key: str, value, keep=lambda _key, _value: True) -> None:
    """Remember one entry for this login (the caller commits), and forget the entries ``keep`` refuses.

    The column is read again first, locked on PostgreSQL, so two requests of one login
    both keep their entry rather than the later write undoing the earlier one.
    """
    row = current()
    if row is None:
        return
    db.session.refresh(row, attribute_names=[name], with_for_update=True)
    entries = {old_key: old for old_key, old in (getattr(row, name) or {}).items() if keep(old_key, old)}
    setattr(row, name, {**entries, key: value})


def end_current() -> None:
    """Logout: this device's row ends (the cookie is cleared by the caller)."""
    login_session = current()
    if login_session is not None:
        end_rows([login_session.id])
        db.session.commit()


def end_replaced(public_id: str | None) -> None:
    """A new login in this browser: the session it had before ends, so its cookie is worthless."""
    try:
        key = uuid.UUID(public_id or "")
    except ValueError:
        return
    db.session.execute(
        update(LoginSession).where(LoginSession.public_id == key, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    db.session.commit()


def provider_sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def end_provider_session(sid: str) -> int:
    """Logged out at the provider: every live row of that provider session ends, on any device."""
    result = db.session.execute(
        update(LoginSession)
        .where(LoginSession.provider_sid_hash == provider_sid_hash(sid), LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    db.session.commit()
    return result.rowcount


def end_rows(row_ids: list[int], ended_at: dt.datetime | None = None) -> None:
    if row_ids:
        db.session.execute(
            update(LoginSession).where(LoginSession.id.in_(row_ids), LoginSession.ended_at.is_(None))
            .values(ended_at=ended_at or utcnow())
        )


def active_for(person: Person) -> list[LoginSession]:
    """The person's live sessions, the latest active first; rows past their limits are ended on the way."""
    rows = db.session.scalars(
        select(LoginSession).where(LoginSession.person_id == person.id, LoginSession.ended_at.is_(None))
        .order_by(LoginSession.last_seen_at.desc())
    ).all()
    now = utcnow()
    expired = [row.id for row in rows if has_expired(row, now)]
    if expired:
        end_rows(expired, ended_at=now)
        db.session.commit()
    return [row for row in rows if row.id not in expired]


def end_others(person: Person) -> int:
    """"Logg ut på alle andre enheter": every live session of the person but this one."""
    keep = current()
    others = [row.id for row in active_for(person) if keep is None or row.id != keep.id]
    end_rows(others)
    db.session.commit()
    return len(others)


def end_all(person: Person) -> None:
    """"Logg ut overalt": this session too."""
    end_rows([row.id for row in active_for(person)])
    db.session.commit()


def enter_context(person: Person, context: str) -> None:
    """A new session id when the person starts acting in another role or on another plan.

    Called for page navigations only: a background poll, an htmx fragment or a
    service worker's fetch belongs to the page it came from, and rotating there
    would race the page. (A browser too old to send Sec-Fetch-Mode counts as
    navigating.) The first plan opened after login keeps the id the login just made.
    """
    if (
        request.method != "GET"
        or request.headers.get("HX-Request")
        or request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate"
        or is_background_request()
    ):
        return
    previous = session.get(CONTEXT_KEY)
    if previous == context:
        return
    session[CONTEXT_KEY] = context
    if previous is not None:
        rotate(person)


def rotate(person: Person) -> None:
    """End this session's row and carry on in a new one; the cookie is re-issued with its id."""
    old = current()
    if old is None:
        return
    new = begin(person, request.headers.get("User-Agent", ""), started_at=old.created_at)
    for name in REMEMBERED:  # the same login goes on, in a new row
        setattr(new, name, getattr(old, name))
    new.provider_sid_hash = old.provider_sid_hash  # still the same login at the provider
    end_rows([old.id])
    db.session.commit()
    g.login_session = new
    g.pop("touch_login_session", None)  # the new row was seen just now
