"""The push worker: claims outbox rows, sends them with pywebpush, records what happened.

Several workers may run side by side. A worker claims a batch of due rows by
writing its claim token and a lease into them, in one short transaction
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, one claiming ``UPDATE``
on SQLite, whose writers take turns), sends outside any transaction, then
deletes or reschedules each row only if its claim is still the one it wrote.
A worker that dies mid-batch leaves rows that become due again when the
lease ends: a notification may then come twice, never be lost.

What each answer from a push service means:

- 201 (or 200/202): sent, the row goes.
- 404, 410: the subscription is gone; delete it, and its queued rows.
- 429, 5xx, a timeout or a broken connection: try again later, after
  ``Retry-After`` when the service says so, otherwise with exponential
  backoff; give up after ``max_attempts`` or when the notification is stale.
- 400, 401, 403, 413 (and other 4xx): our request is wrong and sending it
  again will not help; log and drop.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import hashlib
import json
import logging
import os
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from flask import Flask
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, selectinload

from patient_app.access import access_to
from patient_app.extensions import db
from patient_app.models import Meeting, NotificationKind, OutboxItem, PushSubscription
from patient_app.models._base import utcnow
from patient_app.notify import vapid
from patient_app.notify.outbox import may_be_told, turned_off_by
from patient_app.notify.texts import notification_text

log = logging.getLogger(__name__)

GONE = {404, 410}
RETRY = {429}  # and every 5xx


@dataclass
class WorkerSettings:
    batch_size: int = 50
    lease: dt.timedelta = dt.timedelta(minutes=2)
    # (connect, read) seconds for one request to a push service.
    timeout: tuple[float, float] = (5.0, 10.0)
    # How long a push service keeps a message for a phone that is off.
    ttl: dt.timedelta = dt.timedelta(hours=24)
    max_attempts: int = 8
    first_backoff: dt.timedelta = dt.timedelta(seconds=30)
    max_backoff: dt.timedelta = dt.timedelta(hours=1)
    # Older than this and it is no longer news: dropped rather than sent.
    max_age: dt.timedelta = dt.timedelta(hours=24)
    poll_interval: float = 2.0
    reminder_interval: dt.timedelta = dt.timedelta(minutes=1)


@dataclass
class BatchResult:
    sent: int = 0
    retried: int = 0
    dropped: int = 0
    gone: int = 0
    deferred: int = 0
    statuses: list[int | None] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.dropped + self.gone + self.deferred


def default_worker_id() -> str:
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class PushWorker:
    def __init__(self, app: Flask, *, worker_id: str | None = None, settings: WorkerSettings | None = None,
                 http: requests.Session | None = None, clock=utcnow):
        self.app = app
        self.worker_id = (worker_id or default_worker_id())[:40]
        self.settings = settings or WorkerSettings()
        self.http = http or requests.Session()
        self.clock = clock
        self.signer = vapid.load(app.config["VAPID_PRIVATE_KEY"])
        self.subject = app.config["VAPID_SUBJECT"]
        # A push service that said 429 is left alone until it said we may come back.
        self.host_not_before: dict[str, dt.datetime] = {}
        self._last_reminders: dt.datetime | None = None

    # --- The loop --------------------------------------------------------------

    def run(self, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        log.info("push worker started", extra={"worker": self.worker_id})
        while not stop.is_set():
            try:
                self.maybe_enqueue_reminders()
                result = self.run_once()
            except Exception:  # keep running: the next round may work (database back, etc.)
                log.exception("push worker round failed")
                result = BatchResult()
            if result.handled < self.settings.batch_size:
                stop.wait(self.settings.poll_interval)
        log.info("push worker stopped", extra={"worker": self.worker_id})

    def maybe_enqueue_reminders(self) -> int:
        now = self.clock()
        if self._last_reminders and now - self._last_reminders < self.settings.reminder_interval:
            return 0
        self._last_reminders = now
        from patient_app.notify.reminders import enqueue_due_reminders

        with self.app.app_context():
            return enqueue_due_reminders(db.session, now=now)

    def drain(self, max_rounds: int = 1000) -> BatchResult:
        """Send until nothing is due now (tests and `flask push-worker --once`)."""
        total = BatchResult()
        for _ in range(max_rounds):
            result = self.run_once()
            for name in ("sent", "retried", "dropped", "gone", "deferred"):
                setattr(total, name, getattr(total, name) + getattr(result, name))
            total.statuses.extend(result.statuses)
            if result.handled == 0:
                break
        return total

    # --- One batch -------------------------------------------------------------

    def run_once(self) -> BatchResult:
        result = BatchResult()
        with self.app.app_context():
            session = db.session
            token, ids = claim(session, self.worker_id, self.clock(), self.settings.batch_size, self.settings.lease)
            if not ids:
                return result
            rows = session.scalars(
                select(OutboxItem)
                .where(OutboxItem.id.in_(ids), OutboxItem.claimed_by == token)
                .options(selectinload(OutboxItem.subscription).selectinload(PushSubscription.person))
                .order_by(OutboxItem.due_at, OutboxItem.id)
            ).all()
            session.commit()  # nothing held open while we talk to push services
            for row in rows:
                self._handle(session, row, token, result)
        return result

    def _handle(self, session: Session, row: OutboxItem, token: str, result: BatchResult) -> None:
        now = self.clock()
        host = urlsplit(row.subscription.endpoint).netloc
        not_before = self.host_not_before.get(host)
        if not_before and not_before > now:
            release(session, row, token, due_at=not_before, attempts=row.attempts)
            result.deferred += 1
            return
        payload = self._payload_or_none(session, row, now)
        if payload is None:
            finish(session, row, token)
            result.dropped += 1
            return
        status, retry_after = self._send(row, payload, self._ttl_for(row, payload.pop("_starts_at"), now))
        result.statuses.append(status)
        if status is not None and 200 <= status < 300:
            finish(session, row, token, sent_at=now)
            result.sent += 1
        elif status in GONE:
            forget_subscription(session, row.subscription_id)
            log.info("push subscription gone", extra={"status": status, "push_host": host})
            result.gone += 1
        elif status is None or status in RETRY or status >= 500:
            attempts = row.attempts + 1
            if attempts >= self.settings.max_attempts or now - row.created_at >= self.settings.max_age:
                log.warning("push gave up", extra={"status": status, "push_host": host, "attempts": attempts})
                finish(session, row, token)
                result.dropped += 1
                return
            delay = self._backoff(attempts)
            if retry_after is not None:
                delay = max(retry_after, dt.timedelta(0))
                if status == 429:
                    self.host_not_before[host] = now + delay
            release(session, row, token, due_at=now + min(delay, self.settings.max_age), attempts=attempts)
            result.retried += 1
        else:
            log.warning("push refused, dropped", extra={"status": status, "push_host": host})
            finish(session, row, token)
            result.dropped += 1

    def _backoff(self, attempts: int) -> dt.timedelta:
        seconds = self.settings.first_backoff.total_seconds() * 2 ** (attempts - 1)
        seconds = min(seconds, self.settings.max_backoff.total_seconds())
        return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.2))

    def _payload_or_none(self, session: Session, row: OutboxItem, now: dt.datetime) -> dict | None:
        """The notification as the service worker shows it, or None when it should no longer go."""
        person = row.subscription.person
        if person.id != row.person_id:
            return None  # the device moved to someone else after this was queued
        if now - row.created_at > self.settings.max_age:
            return None
        category = row.kind.category
        if person.id in turned_off_by(session, {person.id}, category):
            return None
        from patient_app.models import Plan

        plan = session.get(Plan, row.plan_id)
        access = access_to(person, plan.public_id) if plan else None
        if not may_be_told(access, category):
            return None  # the grant ended since (hidden items were filtered when queued)
        starts_at = None
        if row.meeting_id is not None:
            meeting = session.get(Meeting, row.meeting_id)
            if meeting is None:
                return None
            if row.kind.is_reminder and (meeting.cancelled or meeting.starts_at <= now):
                return None
            starts_at = meeting.starts_at
        session.commit()
        text = notification_text(row.kind, person.preferred_locale, starts_at, now)
        return {
            **text,
            "_starts_at": starts_at,
            "url": row.url,
            "tag": f"{row.kind.category.value}-{topic_for(row.kind, row.url)}",
            "lang": person.preferred_locale or "nb",
        }

    def _send(self, row: OutboxItem, payload: dict, ttl: int) -> tuple[int | None, dt.timedelta | None]:
        try:
            response = webpush(
                subscription_info=row.subscription.as_webpush_info(),
                data=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                vapid_private_key=self.signer,
                # A new dict for every send: pywebpush writes "aud" and "exp" into the one it gets.
                vapid_claims={"sub": self.subject},
                ttl=ttl,
                timeout=self.settings.timeout,
                headers={"Urgency": "normal", "Topic": topic_for(row.kind, row.url)},
                requests_session=self.http,
            )
            return response.status_code, None
        except WebPushException as error:
            status = error.status_code
            return status, parse_retry_after(error.retry_after, self.clock())
        except requests.RequestException as error:
            log.info("push service unreachable", extra={"error": type(error).__name__})
            return None, None

    def _ttl_for(self, row: OutboxItem, starts_at: dt.datetime | None, now: dt.datetime) -> int:
        """A reminder is worth nothing after the meeting has started; other notices keep a day."""
        ttl = self.settings.ttl
        if row.kind.is_reminder and starts_at is not None:
            ttl = min(ttl, max(starts_at - now, dt.timedelta(minutes=1)))
        return int(ttl.total_seconds())


# --- Claiming and finishing rows -------------------------------------------------


def claim(session: Session, worker_id: str, now: dt.datetime, limit: int, lease: dt.timedelta) -> tuple[str, list[int]]:
    """Take up to ``limit`` due rows for this worker; returns (claim token, row ids)."""
    token = f"{worker_id}:{uuid.uuid4().hex[:16]}"
    due = (
        select(OutboxItem.id)
        .where(OutboxItem.due_at <= now)
        .where(or_(OutboxItem.claimed_until.is_(None), OutboxItem.claimed_until < now))
        .order_by(OutboxItem.due_at, OutboxItem.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(due.with_for_update(skip_locked=True)))
        if ids:
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_(ids))
                .values(claimed_by=token, claimed_until=now + lease)
            )
        session.commit()
        return token, ids
    # SQLite: one UPDATE is atomic (writers take turns); the WHERE repeats the
    # "not claimed" test so a row is never taken from a live lease.
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id.in_(due.scalar_subquery()))
        .where(or_(OutboxItem.claimed_until.is_(None), OutboxItem.claimed_until < now))
        .values(claimed_by=token, claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    ids = list(session.scalars(select(OutboxItem.id).where(OutboxItem.claimed_by == token)))
    return token, ids


def finish(session: Session, row: OutboxItem, token: str, sent_at: dt.datetime | None = None) -> None:
    """Delete the row, if this worker still holds it."""
    session.execute(
        delete(OutboxItem)
        .where(OutboxItem.id == row.id, OutboxItem.claimed_by == token)
        .execution_options(synchronize_session=False)
    )
    if sent_at is not None:
        session.execute(
            update(PushSubscription)
            .where(PushSubscription.id == row.subscription_id)
            .values(last_sent_at=sent_at)
            .execution_options(synchronize_session=False)
        )
    session.commit()


def release(session: Session, row: OutboxItem, token: str, *, due_at: dt.datetime, attempts: int) -> None:
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == row.id, OutboxItem.claimed_by == token)
        .values(claimed_by=None, claimed_until=None, due_at=due_at, attempts=attempts)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def forget_subscription(session: Session, subscription_id: int) -> None:
    """The push service says the device is gone: forget it and what was queued for it."""
    session.execute(delete(OutboxItem).where(OutboxItem.subscription_id == subscription_id))
    session.execute(delete(PushSubscription).where(PushSubscription.id == subscription_id))
    session.commit()


# --- Small helpers -------------------------------------------------------------


def parse_retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return dt.timedelta(seconds=int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(when - now, dt.timedelta(0))


def topic_for(kind: NotificationKind, url: str) -> str:
    """RFC 8030 Topic (at most 32 URL-safe characters): a newer notice about the same thing
    replaces one the push service still holds, and the phone shows one, not two."""
    digest = hashlib.sha256(f"{kind.category.value}:{url}".encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()[:32]
