"""Meeting reminders: about a week before and a day before (seed 001), exactly once each.

Run every minute by the push worker (and by ``flask send-reminders``). A
reminder is due from its time until a cut-off, so one missed while the worker
was down still goes out late, but never when it has become pointless or
would arrive together with the next one:

- a week's reminder: from 7 days before the meeting until 2 days before;
- a day's reminder: from 24 hours before until 2 hours before.

"Exactly once" is a unique row per meeting, person and kind (SentReminder),
inserted in the same transaction as the outbox rows: two workers racing get
one insert and one IntegrityError. A person is only considered once they have
a device to send to, so someone who turns notifications on six days before a
meeting still gets the day's reminder, and a late week's one.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
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
from patient_app.notify.outbox import add_rows, recipients

log = logging.getLogger(__name__)


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


def enqueue_due_reminders(session: Session, now: dt.datetime | None = None) -> int:
    """Queue every reminder that is due now and not yet queued; returns how many people were reminded."""
    now = now or utcnow()
    latest_start = now + max(rule.before for rule in RULES)
    earliest_start = now + min(rule.cut_off for rule in RULES)
    meetings = session.scalars(
        select(Meeting)
        .where(Meeting.cancelled.is_(False), Meeting.starts_at > earliest_start, Meeting.starts_at <= latest_start)
        .order_by(Meeting.starts_at)
    ).all()
    reminded = 0
    for meeting in meetings:
        for rule in RULES:
            opens, closes = rule.window(meeting.starts_at)
            if opens <= now < closes:
                reminded += _remind(session, meeting, rule.kind, now)
    session.commit()
    return reminded


def _remind(session: Session, meeting: Meeting, kind: NotificationKind, now: dt.datetime) -> int:
    already = set(
        session.scalars(
            select(SentReminder.person_id).where(SentReminder.meeting_id == meeting.id, SentReminder.kind == kind)
        )
    )
    with_devices = set(
        session.scalars(
            select(Membership.person_id)
            .join(PushSubscription, PushSubscription.person_id == Membership.person_id)
            .where(Membership.plan_id == meeting.plan_id)
        )
    )
    candidates = with_devices - already
    if not candidates:
        return 0
    plan = session.get(Plan, meeting.plan_id)
    people = recipients(
        session,
        plan,
        NotificationCategory.REMINDERS,
        hidden_from_guardians=meeting.hidden_from_guardians,
        only_person_ids=candidates,
    )
    url = meeting_path(plan, meeting)
    reminded = 0
    for person in people:
        try:
            with session.begin_nested():
                session.add(SentReminder(meeting_id=meeting.id, person_id=person.id, kind=kind, at=now))
                session.flush()
                add_rows(session, plan, kind, url, [person], meeting_id=meeting.id, now=now)
        except IntegrityError:
            continue  # another worker reminded this person a moment ago
        reminded += 1
    if reminded:
        log.info("meeting reminders queued", extra={"kind": kind.value, "people": reminded})
    return reminded


def meeting_path(plan: Plan, meeting: Meeting) -> str:
    """The meeting's page; built from the URL map, since the worker has no request."""
    return current_app.url_map.bind("localhost").build(
        "meetings.show", {"plan_id": plan.public_id, "meeting_id": meeting.public_id}
    )
