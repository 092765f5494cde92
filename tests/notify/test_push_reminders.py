"""Meeting reminders: a week and a day before, exactly once per meeting, person and kind."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from patient_app.extensions import db
from patient_app.models import Meeting, NotificationKind, OutboxItem, SentReminder
from patient_app.notify.reminders import enqueue_due_reminders
from patient_app.notify.texts import days_until
from tests.notify.conftest import add_device, person, plan_of

WEEK, DAY = NotificationKind.REMINDER_WEEK, NotificationKind.REMINDER_DAY


@pytest.fixture
def meeting_at(push_app):
    """Sigrid's plan gets one meeting at a chosen time; the demo meetings are moved out of the way."""

    def meeting_at(starts_at: dt.datetime) -> int:
        plan = plan_of("patient")
        for other in db.session.scalars(select(Meeting)):
            other.starts_at = starts_at + dt.timedelta(days=60)
        meeting = Meeting(plan_id=plan.id, title="Møte om behandlingen", starts_at=starts_at)
        db.session.add(meeting)
        db.session.commit()
        return meeting.id

    return meeting_at


def reminders(kind=None) -> list[tuple[str, NotificationKind]]:
    query = select(SentReminder)
    if kind:
        query = query.where(SentReminder.kind == kind)
    keys = {person(k).id: k for k in ("patient", "relative", "coordinator")}
    return sorted((keys[r.person_id], r.kind) for r in db.session.scalars(query))


def test_a_week_before_everyone_who_may_see_meetings_is_reminded_once(push_app, fake_push, meeting_at):
    with push_app.app_context():
        for key in ("patient", "relative", "coordinator"):
            add_device(fake_push, key)
        now = dt.datetime.now(dt.timezone.utc)
        meeting_at(now + dt.timedelta(days=7) - dt.timedelta(minutes=1))
        assert enqueue_due_reminders(db.session, now=now) == 3
        assert enqueue_due_reminders(db.session, now=now + dt.timedelta(minutes=1)) == 0
        assert enqueue_due_reminders(db.session, now=now + dt.timedelta(days=2)) == 0
        assert reminders() == [("coordinator", WEEK), ("patient", WEEK), ("relative", WEEK)]
        assert db.session.scalar(select(func.count()).select_from(OutboxItem)) == 3


def test_then_a_day_before_once_more(push_app, fake_push, meeting_at):
    with push_app.app_context():
        add_device(fake_push, "patient")
        now = dt.datetime.now(dt.timezone.utc)
        starts = now + dt.timedelta(days=7, hours=-1)
        meeting_at(starts)
        enqueue_due_reminders(db.session, now=now)
        enqueue_due_reminders(db.session, now=starts - dt.timedelta(hours=23))
        enqueue_due_reminders(db.session, now=starts - dt.timedelta(hours=22))
        assert reminders() == [("patient", DAY), ("patient", WEEK)]
        kinds = sorted(row.kind for row in db.session.scalars(select(OutboxItem)))
        assert kinds == sorted([WEEK, DAY])


def test_a_reminder_missed_while_the_worker_was_down_goes_out_late(push_app, fake_push, meeting_at):
    with push_app.app_context():
        add_device(fake_push, "patient")
        now = dt.datetime.now(dt.timezone.utc)
        starts = now + dt.timedelta(days=3)  # the week's reminder was due four days ago
        meeting_at(starts)
        assert enqueue_due_reminders(db.session, now=now) == 1
        assert reminders() == [("patient", WEEK)]


def test_not_after_the_cut_off(push_app, fake_push, meeting_at):
    with push_app.app_context():
        add_device(fake_push, "patient")
        now = dt.datetime.now(dt.timezone.utc)
        starts = now + dt.timedelta(hours=36)  # too late for a week's reminder, too early for a day's
        meeting_at(starts)
        assert enqueue_due_reminders(db.session, now=now) == 0
        assert enqueue_due_reminders(db.session, now=starts - dt.timedelta(minutes=90)) == 0, "a day's: cut off 2 h before"
        assert reminders() == []


def test_a_cancelled_meeting_gets_no_reminder_and_a_queued_one_is_dropped(push_app, fake_push, meeting_at, make_worker):
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        now = dt.datetime.now(dt.timezone.utc)
        meeting_id = meeting_at(now + dt.timedelta(days=6))
        enqueue_due_reminders(db.session, now=now)
        db.session.get(Meeting, meeting_id).cancelled = True
        db.session.commit()
    assert make_worker().drain().dropped == 1
    assert fake_push.received_by(phone) == []


def test_someone_who_turns_notifications_on_later_still_gets_the_next_reminder(push_app, fake_push, meeting_at):
    with push_app.app_context():
        now = dt.datetime.now(dt.timezone.utc)
        meeting_at(now + dt.timedelta(days=6))
        assert enqueue_due_reminders(db.session, now=now) == 0, "nobody has a device yet"
        add_device(fake_push, "patient")
        assert enqueue_due_reminders(db.session, now=now + dt.timedelta(minutes=1)) == 1


def test_the_reminder_says_when_without_saying_what(push_app, fake_push, meeting_at, make_worker, clock):
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        starts = clock.now + dt.timedelta(days=7, minutes=-5)
        meeting_at(starts)
        enqueue_due_reminders(db.session, now=clock.now - dt.timedelta(seconds=1))
    make_worker().drain()
    [payload] = fake_push.payloads(phone)
    days = days_until(starts, clock.now)
    assert payload["body"] == f"Påminnelse: Du har et møte om {days} dager. Se Min plan."
    assert "behandling" not in payload["body"].lower()
    assert payload["url"].startswith("/plan/") and "/meetings/" in payload["url"]
    [received] = fake_push.received_by(phone)
    assert int(received.headers["ttl"]) <= 24 * 3600


def test_two_workers_racing_remind_each_person_once(push_app, fake_push, meeting_at):
    with push_app.app_context():
        for key in ("patient", "relative", "coordinator"):
            add_device(fake_push, key)
        now = dt.datetime.now(dt.timezone.utc)
        meeting_at(now + dt.timedelta(days=5))

    start = threading.Barrier(4)

    def remind():
        with push_app.app_context():
            start.wait()
            try:
                enqueue_due_reminders(db.session, now=now)
            except Exception:  # noqa: BLE001 - a locked database is a lost race, not a double send
                db.session.rollback()

    threads = [threading.Thread(target=remind) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with push_app.app_context():
        enqueue_due_reminders(db.session, now=now)  # whoever lost a race is picked up now
        assert reminders() == [("coordinator", WEEK), ("patient", WEEK), ("relative", WEEK)]
        assert db.session.scalar(select(func.count()).select_from(OutboxItem)) == 3


def test_days_until_counts_calendar_days_in_oslo():
    late_evening = dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.timezone.utc)  # 23.30 in Oslo
    assert days_until(dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.timezone.utc), late_evening) == 1
    assert days_until(dt.datetime(2026, 3, 2, 22, 45, tzinfo=dt.timezone.utc), late_evening) == 0
