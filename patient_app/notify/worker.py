"""The push worker: claims outbox rows, sends them with pywebpush, records what happened.

Several workers may run side by side. A worker claims a batch of due rows by
writing its claim token and a lease into them, in one short transaction
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, one claiming ``UPDATE``
on SQLite, whose writers take turns), reads what it needs for the whole batch,
sends outside any transaction, then deletes or reschedules each row only if
its claim is still the one it wrote (Ledger). It stops sending before its
lease could run out, so no other worker can take a row it is still sending.
A worker that dies mid-batch leaves rows that become due again when the
lease ends: a notification may then come twice (shown once: same tag), never
be lost.

What each answer from a push service means:

- 201 (or 200/202): sent, the row goes.
- 404, 410: the subscription is gone; delete it, and its queued rows.
- 429, 5xx, a timeout or a broken connection: try again later, after
  ``Retry-After`` when the service says so, otherwise with exponential
  backoff; give up after ``max_attempts`` or when the notification is stale.
- 400, 401, 403, 413 (and other 4xx): our request is wrong and sending it
  again will not help; log and drop. A redirect is dropped too: it is never
  followed (notify/push_http.py).
- An endpoint the parser refuses (notify/endpoints.py; stored before the
  rules, or the allow-list changed): the subscription is forgotten, unsent.
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
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
from flask import Flask
from pywebpush import WebPushException, webpush
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from patient_app import metrics
from patient_app.access import accesses_to_plans
from patient_app.extensions import db
from patient_app.models import Meeting, NotificationKind, OutboxItem, PushSubscription
from patient_app.models._base import utcnow
from patient_app.notify import vapid
from patient_app.notify.endpoints import EndpointRefused, PushEndpoint, parse_endpoint
from patient_app.notify.ledger import Ledger, claim
from patient_app.notify.outbox import may_be_told, turned_off_by
from patient_app.notify.push_http import PushHTTP
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
    # Results are written every this many rows (and at the end of each batch).
    record_every: int = 10
    # Requests in flight at once, per worker.
    concurrency: int = 8
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
        # One request, from connecting to the last byte of the answer, ends within the two timeouts.
        self.http = http or PushHTTP(total_seconds=sum(self.settings.timeout),
                                     allow_local=app.config.get("PUSH_ALLOW_LOCAL_ENDPOINTS", False))
        self.allowed_hosts = app.config["PUSH_ENDPOINT_HOSTS"]
        self.allow_local = app.config.get("PUSH_ALLOW_LOCAL_ENDPOINTS", False)
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
                result = self.run_once(stop)
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

    def run_once(self, stop: threading.Event | None = None) -> BatchResult:
        """Claim one batch and send it. When ``stop`` is set (SIGTERM) the requests in flight
        finish and are recorded, and the rest of the batch is handed back at once, so another
        worker sends it now rather than when the lease ends."""
        result = BatchResult()
        with self.app.app_context():
            session = db.session
            claimed_at = self.clock()
            token, ids = claim(session, self.worker_id, claimed_at, self.settings.batch_size, self.settings.lease)
            if not ids:
                return result
            rows = session.scalars(
                select(OutboxItem)
                .where(OutboxItem.id.in_(ids), OutboxItem.claimed_by == token)
                .options(selectinload(OutboxItem.subscription).selectinload(PushSubscription.person))
                .order_by(OutboxItem.due_at, OutboxItem.id)
            ).all()
            payloads = self._payloads(session, rows, claimed_at)
            session.commit()  # all reads done: nothing held open while we talk to push services
            ledger = Ledger(session, token, self.settings.record_every)
            lease_ends = claimed_at + self.settings.lease
            gone: set[int] = set()
            step = max(1, self.settings.concurrency)
            with ThreadPoolExecutor(max_workers=step) as pool:
                for start in range(0, len(rows), step):
                    if stop is not None and stop.is_set():
                        ledger.release_all(rows[start:])
                        result.deferred += len(rows) - start
                        break
                    if self.clock() + self._longest_send() >= lease_ends:
                        # Another worker may take these once the lease ends; hand them back now instead.
                        ledger.release_all(rows[start:])
                        result.deferred += len(rows) - start
                        break
                    self._send_group(rows[start:start + step], payloads, pool, ledger, result, gone)
            ledger.flush()
        metrics.count_sends("push", result)
        return result

    def _longest_send(self) -> dt.timedelta:
        """PushHTTP cuts every request off after the connect and read timeouts together."""
        return dt.timedelta(seconds=sum(self.settings.timeout))

    def _endpoint(self, row: OutboxItem) -> PushEndpoint | None:
        """Checked again before each send: a row stored before today's rules, or a changed allow-list."""
        try:
            return parse_endpoint(row.subscription.endpoint, self.allowed_hosts, self.allow_local)
        except EndpointRefused:
            return None

    def _send_group(self, rows, payloads, pool, ledger: Ledger, result: BatchResult, gone: set[int]) -> None:
        """Send a few rows at once (push services answer in tens of milliseconds; we need not wait in turn)."""
        now = self.clock()
        jobs = []
        for row in rows:
            payload = payloads[row.id]
            endpoint = self._endpoint(row)
            not_before = self.host_not_before.get(endpoint.origin) if endpoint else None
            if row.subscription_id in gone:
                result.gone += 1  # already deleted with its subscription
            elif endpoint is None:
                self._forget(row, ledger, gone, "push endpoint refused")
                result.gone += 1
            elif not_before and not_before > now:
                ledger.release(row, due_at=not_before, attempts=row.attempts)
                result.deferred += 1
            elif payload is None or now - row.created_at > self.settings.max_age:
                ledger.finish(row)
                result.dropped += 1
            else:
                starts_at = payload.pop("_starts_at")
                jobs.append((row, endpoint, payload, self._ttl_for(row, starts_at, now)))
        outcomes = pool.map(lambda job: self._send(*job), jobs) if len(jobs) > 1 else map(lambda j: self._send(*j), jobs)
        for (row, endpoint, _payload, _ttl), (status, retry_after) in zip(jobs, list(outcomes)):
            result.statuses.append(status)
            self._record(row, endpoint.origin, status, retry_after, now, ledger, result, gone)

    def _forget(self, row: OutboxItem, ledger: Ledger, gone: set[int], why: str, **extra) -> None:
        """The subscription can never be sent to again: it goes, with what was queued for it."""
        if row.subscription_id not in gone:
            ledger.forget_subscription(row.subscription_id)
            gone.add(row.subscription_id)
            log.info(why, extra=extra)

    def _record(self, row: OutboxItem, host: str, status: int | None, retry_after: dt.timedelta | None,
                now: dt.datetime, ledger: Ledger, result: BatchResult, gone: set[int]) -> None:
        if status is not None and 200 <= status < 300:
            ledger.finish(row, sent_at=now)
            result.sent += 1
        elif status in GONE:
            self._forget(row, ledger, gone, "push subscription gone", status=status, push_host=host)
            result.gone += 1
        elif status is None or status in RETRY or status >= 500:
            attempts = row.attempts + 1
            if attempts >= self.settings.max_attempts or now - row.created_at >= self.settings.max_age:
                log.warning("push gave up", extra={"status": status, "push_host": host, "attempts": attempts})
                ledger.finish(row)
                result.dropped += 1
                return
            delay = self._backoff(attempts)
            if retry_after is not None:
                delay = max(retry_after, dt.timedelta(0))
                if status == 429:
                    self.host_not_before[host] = max(self.host_not_before.get(host, now), now + delay)
            ledger.release(row, due_at=now + min(delay, self.settings.max_age), attempts=attempts)
            result.retried += 1
        else:
            log.warning("push refused, dropped", extra={"status": status, "push_host": host})
            ledger.finish(row)
            result.dropped += 1

    def _backoff(self, attempts: int) -> dt.timedelta:
        seconds = self.settings.first_backoff.total_seconds() * 2 ** (attempts - 1)
        seconds = min(seconds, self.settings.max_backoff.total_seconds())
        return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.2))

    def _payloads(self, session: Session, rows: list[OutboxItem], now: dt.datetime) -> dict[int, dict | None]:
        """Each row's notification as the service worker shows it, or None when it should no longer go.

        Access and choices are asked again now, not only when queued: a grant
        may have ended or a category been turned off since. Access is asked once
        for the whole batch (access.accesses_to_plans, the rule access_to applies).
        """
        # Who turned each category off: one query per category in the batch, not one per person
        # (a batch of reminders goes to 50 different people; bench/reminders.py).
        people_by_category: dict[object, set[int]] = {}
        for row in rows:
            people_by_category.setdefault(row.kind.category, set()).add(row.person_id)
        turned_off_sets = {category: turned_off_by(session, people, category)
                           for category, people in people_by_category.items()}
        allowed: dict[tuple[int, int, object], bool] = {}
        accesses = accesses_to_plans({row.plan_id for row in rows}, {row.person_id for row in rows})
        meeting_ids = {r.meeting_id for r in rows if r.meeting_id is not None}
        meetings = {m.id: m for m in session.scalars(select(Meeting).where(Meeting.id.in_(meeting_ids)))} \
            if meeting_ids else {}
        payloads: dict[int, dict | None] = {}
        for row in rows:
            person = row.subscription.person
            category = row.kind.category
            if person.id != row.person_id:
                payloads[row.id] = None  # the device moved to someone else after this was queued
                continue
            if (person.id, row.plan_id, category) not in allowed:
                allowed[person.id, row.plan_id, category] = may_be_told(accesses.get((row.plan_id, person.id)), category)
            if person.id in turned_off_sets[category] or not allowed[person.id, row.plan_id, category]:
                payloads[row.id] = None  # turned off, or the grant ended (hidden items were filtered when queued)
                continue
            starts_at = None
            if row.meeting_id is not None:
                meeting = meetings.get(row.meeting_id)
                if meeting is None or (row.kind.is_reminder and (meeting.cancelled or meeting.starts_at <= now)):
                    payloads[row.id] = None
                    continue
                starts_at = meeting.starts_at
            text = notification_text(row.kind, person.preferred_locale, starts_at, now)
            payloads[row.id] = {
                **text,
                "_starts_at": starts_at,
                "url": row.url,
                "tag": f"{row.kind.category.value}-{topic_for(row.kind, row.url)}",
                "lang": person.preferred_locale or "nb",
            }
        return payloads

    def _send(self, row: OutboxItem, endpoint: PushEndpoint, payload: dict,
              ttl: int) -> tuple[int | None, dt.timedelta | None]:
        """One subscription's answer; whatever goes wrong (a key that is not a curve point, a library error)
        is that subscription's failure, tried again and eventually dropped, never the batch's."""
        try:
            response = webpush(
                # To exactly the URL that was checked.
                subscription_info={**row.subscription.as_webpush_info(), "endpoint": endpoint.url},
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
            log.info("push service unreachable", extra={"error": type(error).__name__, "push_host": endpoint.origin})
            return None, None
        except Exception as error:  # noqa: BLE001 - see the docstring
            log.warning("push could not be sent", extra={"error": type(error).__name__, "push_host": endpoint.origin})
            return None, None

    def _ttl_for(self, row: OutboxItem, starts_at: dt.datetime | None, now: dt.datetime) -> int:
        """A reminder is worth nothing after the meeting has started; other notices keep a day."""
        ttl = self.settings.ttl
        if row.kind.is_reminder and starts_at is not None:
            ttl = min(ttl, max(starts_at - now, dt.timedelta(minutes=1)))
        return int(ttl.total_seconds())


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
