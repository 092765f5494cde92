"""Meeting reminders: a week and a day before, exactly once per meeting, person and kind."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import delete, event, func, insert, select

import patient_app.notify.reminders as reminders_module
from patient_app.extensions import db
from patient_app.models import (
    Meeting,
    Membership,
    NotificationCategory,
    NotificationKind,
    NotificationPreference,
    OutboxItem,
    Scope,
    SentReminder,
)
from patient_app.notify.reminders import enqueue_due_reminders
from patient_app.notify.texts import days_until
from tests.notify.conftest import add_device, person, owned_plan
from tests.statements import recorded_statements

WEEK, DAY = NotificationKind.REMINDER_WEEK, NotificationKind.REMINDER_DAY


@pytest.fixture
def meeting_at(push_app):
    """Sigrid's plan gets one meeting at a chosen time; the demo meetings are moved out of the way."""

    def meeting_at(starts_at: dt.datetime) -> int:
        plan = owned_plan("patient")
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


# --- Many meetings at once ---------------------------------------------------------
# The worker schedules in batches of meetings: a few statements per batch, not per
# meeting, and the same people as one meeting at a time would give.

EVERYONE = ("patient", "relative", "coordinator", "child", "guardian1", "guardian2")


@pytest.fixture
def everyone_has_a_device(push_app, fake_push):
    """Everyone in the demo plans has a phone; the demo meetings are moved out of the reminder windows."""
    with push_app.app_context():
        for key in EVERYONE:
            add_device(fake_push, key)
        for demo_meeting in db.session.scalars(select(Meeting)):
            demo_meeting.starts_at = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=60)
        db.session.commit()
    return push_app


def meeting_next_week(now: dt.datetime, owner: str, hidden_from_guardians: bool = False, minutes: int = 0) -> int:
    meeting = Meeting(plan_id=owned_plan(owner).id, title="Ukemøte", hidden_from_guardians=hidden_from_guardians,
                      starts_at=now + dt.timedelta(days=6, minutes=minutes))
    db.session.add(meeting)
    db.session.commit()
    return meeting.id


def meetings_next_week(now: dt.datetime, count: int, after: int = 0) -> list[int]:
    """``count`` meetings six days on, by turns on Sigrid's plan (3 to remind) and on Emil's (4),
    going on from ``after`` meetings made before."""
    return [meeting_next_week(now, ("patient", "child")[i % 2], minutes=i) for i in range(after, after + count)]


def reminded_pairs(kind=WEEK) -> set[tuple[int, str]]:
    """(meeting id, person key) for every reminder recorded."""
    keys = {person(k).id: k for k in EVERYONE}
    return {(row.meeting_id, keys[row.person_id])
            for row in db.session.scalars(select(SentReminder).where(SentReminder.kind == kind))}


def queued_pairs() -> list[tuple[int, str]]:
    """(meeting id, person key) for every outbox row, doubles included."""
    keys = {person(k).id: k for k in EVERYONE}
    return sorted((row.meeting_id, keys[row.person_id]) for row in db.session.scalars(select(OutboxItem)))


def statements_counted():
    return recorded_statements(db.engine)


def forget_reminders():
    db.session.execute(delete(OutboxItem))
    db.session.execute(delete(SentReminder))
    db.session.commit()


def test_a_batch_of_meetings_follows_each_plans_rules(everyone_has_a_device):
    with everyone_has_a_device.app_context():
        now = dt.datetime.now(dt.timezone.utc)
        db.session.add(NotificationPreference(person_id=person("guardian2").id,
                                              category=NotificationCategory.REMINDERS, enabled=False))
        anders = db.session.scalar(select(Membership).where(Membership.person_id == person("relative").id))
        anders.scopes = Scope.MESSAGES.value  # no meetings for him any more
        db.session.commit()
        sigrids = meeting_next_week(now, "patient")
        emils = meeting_next_week(now, "child")
        emils_hidden = meeting_next_week(now, "child", hidden_from_guardians=True)

        assert enqueue_due_reminders(db.session, now=now) == 2 + 3 + 2
        expected = {
            (sigrids, "patient"), (sigrids, "coordinator"),
            (emils, "child"), (emils, "guardian1"), (emils, "coordinator"),
            (emils_hidden, "child"), (emils_hidden, "coordinator"),
        }
        assert reminded_pairs() == expected
        assert queued_pairs() == sorted(expected)


def test_scheduling_takes_the_same_statements_for_5_meetings_as_for_200(everyone_has_a_device, monkeypatch):
    monkeypatch.setattr(reminders_module, "MEETINGS_PER_BATCH", 200)  # both in one batch, whatever the default
    with everyone_has_a_device.app_context():
        now = dt.datetime.now(dt.timezone.utc)
        meetings_next_week(now, 5)
        with statements_counted() as for_5:
            assert enqueue_due_reminders(db.session, now=now) == 3 * 3 + 2 * 4

        forget_reminders()
        meetings_next_week(now, 195, after=5)
        with statements_counted() as for_200:
            assert enqueue_due_reminders(db.session, now=now) == 100 * 3 + 100 * 4
        assert len(queued_pairs()) == 700

    assert len(for_200) == len(for_5), "\n".join(for_200[:40])


def test_more_meetings_than_a_batch_take_a_few_statements_per_batch(everyone_has_a_device, monkeypatch):
    with everyone_has_a_device.app_context():
        now = dt.datetime.now(dt.timezone.utc)
        meetings_next_week(now, 5)
        with statements_counted() as one_batch:
            enqueue_due_reminders(db.session, now=now)

        forget_reminders()
        meetings_next_week(now, 195, after=5)
        monkeypatch.setattr(reminders_module, "MEETINGS_PER_BATCH", 50)
        with statements_counted() as four_batches:
            assert enqueue_due_reminders(db.session, now=now) == 700
        assert len(set(queued_pairs())) == len(queued_pairs()) == 700

    assert len(four_batches) <= 4 * len(one_batch)


def test_people_another_worker_reminded_meanwhile_are_left_out_and_the_rest_queued_once(everyone_has_a_device):
    """Another worker records some of the batch's reminders after this one looked and before it writes."""
    with everyone_has_a_device.app_context():
        now = dt.datetime.now(dt.timezone.utc)
        meetings = meetings_next_week(now, 6)
        on_sigrids, on_emils = meetings[0::2], meetings[1::2]
        taken = [(meeting_id, "relative") for meeting_id in on_sigrids] + [(on_emils[0], "guardian1")]
        rows = [{"meeting_id": meeting_id, "person_id": person(key).id, "kind": WEEK, "at": now}
                for meeting_id, key in taken]
        engine = db.engine
        raced = []

        def other_worker_first(_connection, _cursor, statement, *_):
            if raced or not statement.lstrip().upper().startswith("INSERT INTO SENT_REMINDER"):
                return
            raced.append(True)
            with engine.begin() as other:  # a connection of its own, committed before this insert runs
                other.execute(insert(SentReminder), rows)

        event.listen(engine, "before_cursor_execute", other_worker_first)
        try:
            reminded = enqueue_due_reminders(db.session, now=now)
        finally:
            event.remove(engine, "before_cursor_execute", other_worker_first)

        assert raced, "the other worker's insert did not run between the look and the write"
        everyone = {(m, key) for m in on_sigrids for key in ("patient", "relative", "coordinator")} | {
            (m, key) for m in on_emils for key in ("child", "guardian1", "guardian2", "coordinator")}
        assert reminded == len(everyone) - len(taken)
        assert reminded_pairs() == everyone
        assert queued_pairs() == sorted(everyone - set(taken))
        assert db.session.scalar(select(func.count()).select_from(SentReminder)) == len(everyone)
