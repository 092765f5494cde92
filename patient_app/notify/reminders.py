"""Meeting reminders: about a week before and a day before (docs/domain.md, Notifications), exactly once each.

Run every minute by the push worker (and by ``flask send-reminders``). A
reminder is due from its time until a cut-off, so one missed while the worker
was down still goes out late, but never when it has become pointless or
would arrive together with the next one:

- a week's reminder: from 7 days before the meeting until 2 days before;
- a day's reminder: from 24 hours before until 2 hours before.

"Exactly once" is a unique row per meeting, person and kind (SentReminder),
inserted in the same transaction as the outbox rows. The insert skips rows
that exist already (ON CONFLICT DO NOTHING) and returns the ones it wrote;
only those get outbox rows, so of two workers racing, the one whose row
stands reminds and the other leaves that person alone. A person is only
considered once they have a device to send to, so someone who turns
notifications on six days before a meeting still gets the day's reminder,
and a late week's one.

Meetings are handled in batches (MEETINGS_PER_BATCH), each a handful of
statements and one transaction whatever the number of meetings and people in
it: 10,000 reminders due the same day would otherwise be over 100,000
statements.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from patient_app.models import (
    Meeting,
    Membership,
    NotificationCategory,
    NotificationKind,
    Plan,
    PushSubscription,
    SentReminder,
)
from patient_app.models._base import utcnow
from patient_app.notify.outbox import Audience, Notice, add_rows_for, recipients_of

log = logging.getLogger(__name__)

# A few hundred meetings: few enough that a batch's lists fit comfortably in one statement's
# parameters and its transaction holds its locks briefly, many enough that the statements
# per batch cost little per meeting.
MEETINGS_PER_BATCH = 200


@dataclass(frozen=True)
class ReminderRule:
    kind: NotificationKind
    before: dt.timedelta  # due this long before the meeting
    cut_off: dt.timedelta  # not sent any more this long before it

    def window(self, starts_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        return starts_at - self.before, starts_at - self.cut_off


RULES = (
    ReminderRule(NotificationKind.REMINDER_WEEK, dt.timedelta(days=7), dt.timedelta(days=2)),
    ReminderRule(NotificationKind.REMINDER_DAY, dt.timedelta(days=1), dt.timedelta(hours=2)),
)


@dataclass(frozen=True)
class DueReminder:
    """One meeting's reminder of one kind, due now."""

    meeting_id: int
    kind: NotificationKind
    audience: Audience
    url: str


def enqueue_due_reminders(session: Session, now: dt.datetime | None = None) -> int:
    """Queue every reminder that is due now and not yet queued; returns how many people were reminded."""
    now = now or utcnow()
    due = due_reminders(session, now)
    reminded = 0
    for start in range(0, len(due), MEETINGS_PER_BATCH):
        reminded += _remind_batch(session, due[start:start + MEETINGS_PER_BATCH], now)
        # A batch at a time: what is queued stays queued if a later batch fails, and the
        # next run (a minute later) goes on from there.
        session.commit()
    session.commit()  # ends the read transaction also when nothing was due
    return reminded


def due_reminders(session: Session, now: dt.datetime) -> list[DueReminder]:
    """The reminders due now, meeting by meeting in the order they start."""
    latest_start = now + max(rule.before for rule in RULES)
    earliest_start = now + min(rule.cut_off for rule in RULES)
    meetings = session.execute(
        select(Meeting.id, Meeting.public_id, Meeting.plan_id, Meeting.starts_at, Meeting.hidden_from_guardians,
               Plan.public_id.label("plan_public_id"))
        .join(Plan, Plan.id == Meeting.plan_id)
        .where(Meeting.cancelled.is_(False), Meeting.starts_at > earliest_start, Meeting.starts_at <= latest_start)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    due = []
    for meeting in meetings:
        for rule in RULES:
            opens, closes = rule.window(meeting.starts_at)
            if opens <= now < closes:
                due.append(DueReminder(
                    meeting_id=meeting.id,
                    kind=rule.kind,
                    audience=Audience(meeting.plan_id, meeting.hidden_from_guardians),
                    url=meeting_path(meeting.plan_public_id, meeting.public_id),
                ))
    return due


def _remind_batch(session: Session, batch: list[DueReminder], now: dt.datetime) -> int:
    """Record and queue a batch's reminders; returns how many people this worker reminded."""
    candidates = _people_to_consider(session, batch)
    if not any(candidates.values()):
        return 0
    people = recipients_of(
        session,
        NotificationCategory.REMINDERS,
        {reminder.audience for reminder in batch},
        only_person_ids=set().union(*candidates.values()),
    )
    wanted = [
        (reminder, person.id)
        for reminder in batch
        for person in people[reminder.audience]
        if person.id in candidates[reminder]
    ]
    recorded = _record_reminders(session, wanted, now)
    ours = [(reminder, person_id) for reminder, person_id in wanted
            if (reminder.meeting_id, person_id, reminder.kind) in recorded]
    add_rows_for(
        session,
        [Notice(reminder.audience.plan_id, person_id, reminder.kind, reminder.url, reminder.meeting_id)
         for reminder, person_id in ours],
        now=now,
    )
    for kind, count in Counter(reminder.kind for reminder, _ in ours).items():
        log.info("meeting reminders queued", extra={"kind": kind.value, "people": count})
    return len(ours)


def _people_to_consider(session: Session, batch: list[DueReminder]) -> dict[DueReminder, set[int]]:
    """Per reminder: the plan's members with a device who have not had it yet.

    The insert in _record_reminders would skip those who have had it anyway; looking
    first keeps the run every minute, which mostly finds nothing new, to two reads a
    batch, and spares PostgreSQL a sequence number for every row it would skip.
    """
    already = _already_reminded(session, [reminder.meeting_id for reminder in batch])
    with_devices = _members_with_devices(session, {reminder.audience.plan_id for reminder in batch})
    return {
        reminder: with_devices.get(reminder.audience.plan_id, set()) - already.get((reminder.meeting_id, reminder.kind), set())
        for reminder in batch
    }


def _already_reminded(session: Session, meeting_ids: list[int]) -> dict[tuple[int, NotificationKind], set[int]]:
    reminded: dict[tuple[int, NotificationKind], set[int]] = {}
    rows = session.execute(
        select(SentReminder.meeting_id, SentReminder.kind, SentReminder.person_id)
        .where(SentReminder.meeting_id.in_(meeting_ids))
    )
    for meeting_id, kind, person_id in rows:
        reminded.setdefault((meeting_id, kind), set()).add(person_id)
    return reminded


def _members_with_devices(session: Session, plan_ids: set[int]) -> dict[int, set[int]]:
    members: dict[int, set[int]] = {}
    rows = session.execute(
        select(Membership.plan_id, Membership.person_id)
        .join(PushSubscription, PushSubscription.person_id == Membership.person_id)
        .where(Membership.plan_id.in_(list(plan_ids)))
        .distinct()
    )
    for plan_id, person_id in rows:
        members.setdefault(plan_id, set()).add(person_id)
    return members


def _record_reminders(session: Session, wanted: list[tuple[DueReminder, int]],
                      now: dt.datetime) -> set[tuple[int, int, NotificationKind]]:
    """Insert a SentReminder per (reminder, person); returns the (meeting, person, kind) this worker inserted.

    A row that another worker has inserted is skipped, not an error: on PostgreSQL
    the insert waits for that worker's transaction and skips the row if it commits.
    That worker queues that reminder, so this one must not.
    """
    if not wanted:
        return set()
    # The same order in every worker: two inserts waiting on each other's rows would deadlock.
    keys = sorted({(reminder.meeting_id, person_id, reminder.kind) for reminder, person_id in wanted})
    statement = (
        _insert_skipping_existing(session)
        .returning(SentReminder.meeting_id, SentReminder.person_id, SentReminder.kind)
    )
    inserted = session.execute(
        statement,
        [{"meeting_id": meeting_id, "person_id": person_id, "kind": kind, "at": now} for meeting_id, person_id, kind in keys],
    )
    return {(meeting_id, person_id, NotificationKind(kind)) for meeting_id, person_id, kind in inserted}


# The two databases Min plan runs on; both spell "skip a row that breaks the unique key" alike.
_DIALECT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _insert_skipping_existing(session: Session):
    insert = _DIALECT_INSERTS[session.get_bind().dialect.name]
    return insert(SentReminder).on_conflict_do_nothing(index_elements=["meeting_id", "person_id", "kind"])


def meeting_path(plan_public_id: uuid.UUID, meeting_public_id: uuid.UUID) -> str:
    """The meeting's page; built from the URL map, since the worker has no request."""
    return current_app.url_map.bind("localhost").build(
        "meetings.show", {"plan_id": plan_public_id, "meeting_id": meeting_public_id}
    )
