"""The push worker against a fake push service that decrypts what it receives."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import threading

import pytest
from sqlalchemy import func, select

from patient_app.extensions import db
from patient_app.models import (
    Membership,
    Message,
    MessageThread,
    NotificationKind,
    OutboxItem,
    PushSubscription,
)
from patient_app.models._base import utcnow
from patient_app.notify import enqueue
from patient_app.notify.texts import notification_text
from patient_app.notify.worker import PushWorker, WorkerSettings, parse_retry_after, topic_for
from tests.notify.conftest import add_device, person, owned_plan
from tests.notify.fake_push import FakePushService
from tests.statements import recorded_statements


def queue_message(owner: str = "patient", actor: str = "coordinator", url: str | None = None) -> str:
    plan = owned_plan(owner)
    url = url or f"/plan/{plan.public_id}/messages"
    enqueue(db.session, plan_id=plan.id, kind=NotificationKind.MESSAGE, url=url, actor_id=person(actor).id)
    db.session.commit()
    return url


def outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxItem))


def rows() -> list[OutboxItem]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxItem)))


# --- 201: what arrives, and what it says --------------------------------------------


def test_a_sent_notification_is_encrypted_signed_and_neutral(push_app, fake_push, make_worker):
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        url = queue_message()
        sigrid = person("patient")
        plan = owned_plan("patient")

    result = make_worker().drain()

    assert result.sent == 1 and result.statuses == [201]
    [received] = fake_push.received_by(phone)
    assert received.vapid_valid, f"the VAPID header did not verify: {received.vapid_claims}"
    assert received.vapid_claims["sub"] == push_app.config["VAPID_SUBJECT"]
    assert received.headers["content-encoding"] == "aes128gcm"
    assert received.headers["ttl"] == str(24 * 3600)
    assert received.headers["urgency"] == "normal"
    assert received.headers["topic"] == topic_for(NotificationKind.MESSAGE, url)
    payload = received.payload
    assert set(payload) == {"title", "body", "url", "tag", "lang"}
    assert payload == {
        "title": "Min plan",
        "body": "Du har en ny melding i Min plan.",
        "url": url,
        "tag": "messages-" + topic_for(NotificationKind.MESSAGE, url),
        "lang": "nb",
    }
    # Nothing that says who, or what about.
    text = json.dumps(payload, ensure_ascii=False)
    for private in (sigrid.name, sigrid.first_name, "Holm", plan.strengths[:20] or "x" * 30):
        assert private not in text
    with push_app.app_context():
        assert outbox_count() == 0
        assert db.session.scalar(select(PushSubscription.last_sent_at)) is not None


def test_the_text_is_in_the_persons_language(push_app, fake_push, make_worker):
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        person("patient").preferred_locale = "en"
        db.session.commit()
        queue_message()
        expected = notification_text(NotificationKind.MESSAGE, "en")
    make_worker().drain()
    [payload] = fake_push.payloads(phone)
    assert payload["lang"] == "en"
    assert (payload["title"], payload["body"]) == (expected["title"], expected["body"])


def test_no_message_text_subject_or_name_reaches_the_push_service(push_app, fake_push, make_worker):
    """A real message, with a subject and text full of health details; the payload carries none of it."""
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        plan = owned_plan("patient")
        coordinator = person("coordinator")
        thread = MessageThread(plan_id=plan.id, subject="Ny medisin mot angst", started_by_id=coordinator.id)
        db.session.add(thread)
        db.session.flush()
        import uuid

        from patient_app.models import Role

        db.session.add(Message(thread_id=thread.id, author_id=coordinator.id, author_role=Role.COORDINATOR,
                               body="Legen har økt dosen av sertralin.", idempotency_key=uuid.uuid4()))
        enqueue(db.session, plan_id=plan.id, kind=NotificationKind.MESSAGE,
                url=f"/plan/{plan.public_id}/messages/{thread.public_id}", actor_id=coordinator.id)
        db.session.commit()
    make_worker().drain()
    [payload] = fake_push.payloads(phone)
    text = json.dumps(payload, ensure_ascii=False).lower()
    for secret in ("medisin", "angst", "sertralin", "dosen", "lise", "aasen", "sigrid"):
        assert secret not in text


def test_fresh_vapid_claims_for_every_send(push_app, make_worker):
    """pywebpush writes "aud" into the claims dict; reusing one would sign for the wrong push service."""
    with FakePushService() as first, FakePushService() as second, push_app.app_context():
        one = add_device(first, "patient")
        two = add_device(second, "patient")
        queue_message()
        queue_message(url="/plan/second")
        make_worker().drain()
        received = first.received_by(one) + second.received_by(two)
        assert len(received) == 4
        assert all(r.vapid_valid for r in received), [r.vapid_claims for r in received]
        assert {r.vapid_claims["aud"] for r in first.received_by(one)} == {first.origin}
        assert {r.vapid_claims["aud"] for r in second.received_by(two)} == {second.origin}


# --- 404 / 410: the device is gone -----------------------------------------------------


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted_with_what_was_queued_for_it(push_app, fake_push, make_worker, status):
    with push_app.app_context():
        gone = add_device(fake_push, "patient")
        kept = add_device(fake_push, "patient")
        fake_push.answer(gone, status)
        queue_message()
        queue_message(url="/plan/again")
    result = make_worker(batch_size=1).drain()
    assert result.gone == 1
    assert len(fake_push.received_by(gone)) == 1, "nothing more is sent to a gone device"
    assert len(fake_push.payloads(kept)) == 2
    with push_app.app_context():
        endpoints = set(db.session.scalars(select(PushSubscription.endpoint)))
        assert endpoints == {kept.endpoint}
        assert outbox_count() == 0


# --- 429 and 5xx: try again later ---------------------------------------------------------


def test_429_waits_as_long_as_retry_after_says(push_app, fake_push, make_worker, clock):
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        fake_push.answer(phone, (429, {"Retry-After": "120"}))
        queue_message()
        queue_message(url="/plan/second")
    worker = make_worker(concurrency=1)  # one at a time, so the second comes after the 429
    first = worker.drain()
    assert first.retried == 1 and first.deferred == 1, "the second waits for the same push service"
    assert len(fake_push.received_by(phone)) == 1
    with push_app.app_context():
        due = sorted(row.due_at for row in rows())
        assert all(d - clock.now == dt.timedelta(seconds=120) for d in due)
        assert [row.attempts for row in rows()].count(1) == 1
    clock.advance(seconds=119)
    assert worker.drain().handled == 0, "not before Retry-After"
    clock.advance(seconds=2)
    assert worker.drain().sent == 2
    assert len(fake_push.payloads(phone)) == 2


def test_retry_after_as_an_http_date(push_app, fake_push, make_worker, clock):
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        when = email.utils.format_datetime(clock.now + dt.timedelta(minutes=5), usegmt=True)
        fake_push.answer(phone, (429, {"Retry-After": when}))
        queue_message()
    make_worker().drain()
    with push_app.app_context():
        [row] = rows()
        assert dt.timedelta(minutes=4) < row.due_at - clock.now <= dt.timedelta(minutes=5)


def test_500_then_success_delivers_once(push_app, fake_push, make_worker, clock):
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        fake_push.answer(phone, 500, 503)
        queue_message()
    worker = make_worker(first_backoff=dt.timedelta(seconds=30))
    assert worker.drain().retried == 1
    with push_app.app_context():
        [row] = rows()
        assert row.attempts == 1
        assert dt.timedelta(seconds=24) <= row.due_at - clock.now <= dt.timedelta(seconds=36)
    clock.advance(seconds=40)
    assert worker.drain().retried == 1
    with push_app.app_context():
        [row] = rows()
        assert row.attempts == 2
        assert dt.timedelta(seconds=48) <= row.due_at - clock.now <= dt.timedelta(seconds=72), "backoff doubles"
    clock.advance(seconds=80)
    assert worker.drain().sent == 1
    statuses = [r.status for r in fake_push.received_by(phone)]
    assert statuses == [500, 503, 201]
    assert len(fake_push.payloads(phone)) == 1
    with push_app.app_context():
        assert outbox_count() == 0


def test_a_timeout_is_retried(push_app, fake_push, make_worker, clock):
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        fake_push.answer(phone, (201, {}, 1.5))
        queue_message()
    worker = make_worker(timeout=(1.0, 0.5))
    result = worker.drain()
    assert result.retried == 1 and result.statuses == [None]
    clock.advance(minutes=5)
    assert worker.drain().sent == 1


def test_the_worker_gives_up_after_max_attempts(push_app, fake_push, make_worker, clock):
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        fake_push.answer(phone, 500, 500, 500)
        queue_message()
    worker = make_worker(max_attempts=3)
    for _ in range(3):
        worker.drain()
        clock.advance(hours=1)
    assert len(fake_push.received_by(phone)) == 3
    with push_app.app_context():
        assert outbox_count() == 0


# --- 400, 401, 403, 413: our request is wrong; drop it -------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 413])
def test_a_refused_request_is_dropped_without_retrying(push_app, fake_push, make_worker, clock, status):
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        fake_push.answer(phone, status)
        queue_message()
    worker = make_worker()
    assert worker.drain().dropped == 1
    clock.advance(hours=2)
    worker.drain()
    assert len(fake_push.received_by(phone)) == 1
    with push_app.app_context():
        assert outbox_count() == 0
        assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 1, "the device stays"


# --- Still allowed when sent? ------------------------------------------------------------


def test_a_grant_withdrawn_after_queueing_stops_the_notification(push_app, fake_push, make_worker):
    with push_app.app_context():
        phone = add_device(fake_push, "relative")
        plan = owned_plan("patient")
        enqueue(db.session, plan_id=plan.id, kind=NotificationKind.MINUTES, url="/plan/x/meetings")
        db.session.commit()
        membership = db.session.scalar(select(Membership).where(Membership.person_id == person("relative").id))
        membership.revoked_at = utcnow()
        db.session.commit()
    assert make_worker().drain().dropped == 1
    assert fake_push.received_by(phone) == []


def test_a_stale_notification_is_dropped(push_app, fake_push, make_worker, clock):
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        queue_message()
    clock.advance(hours=25)
    assert make_worker().drain().dropped == 1
    assert fake_push.received_by(phone) == []


# --- Recording what was sent ---------------------------------------------------------------


def test_sent_rows_are_recorded_with_two_statements_a_group_not_two_a_row(push_app, fake_push, make_worker):
    """The Ledger writes every ``record_every`` rows; within a group, the sent rows' deletes and
    their phones' last-sent times are one statement each, however many rows the group holds."""
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        for number in range(20):
            queue_message(url=f"/plan/x/messages/{number}")
        engine = db.engine
    with recorded_statements(engine) as statements:
        result = make_worker(record_every=10, batch_size=20).drain()
    assert result.sent == 20 and len(fake_push.received_by(phone)) == 20
    recording = [s for s in statements if s.lstrip().startswith((
        f"DELETE FROM {OutboxItem.__tablename__}", f"UPDATE {PushSubscription.__tablename__}"))]
    assert len(recording) == 4, recording  # two groups of ten: a delete and an update each
    with push_app.app_context():
        assert outbox_count() == 0
        assert db.session.scalar(select(PushSubscription.last_sent_at)) is not None


# --- Several workers ----------------------------------------------------------------------


def test_several_workers_never_send_the_same_row_twice(push_app, fake_push, clock):
    with push_app.app_context():
        phone = add_device(fake_push, "patient")
        plan = owned_plan("patient")
        for number in range(120):
            enqueue(db.session, plan_id=plan.id, kind=NotificationKind.MESSAGE, url=f"/n/{number}")
        db.session.commit()

    workers = [PushWorker(push_app, worker_id=f"w{i}", settings=WorkerSettings(batch_size=7), clock=clock)
               for i in range(4)]
    threads = [threading.Thread(target=worker.drain) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    urls = [payload["url"] for payload in fake_push.payloads(phone)]
    assert sorted(urls) == sorted(f"/n/{number}" for number in range(120)), "each once, none twice"
    with push_app.app_context():
        assert outbox_count() == 0


def test_a_claimed_row_is_not_taken_by_another_worker_until_its_lease_ends(push_app, fake_push, clock):
    from patient_app.notify.worker import claim

    with push_app.app_context():
        add_device(fake_push, "patient")
        queue_message()
        lease = dt.timedelta(minutes=2)
        _token, first = claim(db.session, "a", clock.now, 10, lease)
        _token, second = claim(db.session, "b", clock.now, 10, lease)
        assert len(first) == 1 and second == []
        _token, after = claim(db.session, "b", clock.now + lease + dt.timedelta(seconds=1), 10, lease)
        assert after == first, "a worker that died gives its rows back when the lease ends"


def test_retry_after_parsing():
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert parse_retry_after("30", now) == dt.timedelta(seconds=30)
    assert parse_retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now) == dt.timedelta(minutes=1)
    assert parse_retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now) == dt.timedelta(0)
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_topics_fit_rfc_8030():
    topic = topic_for(NotificationKind.MESSAGE, "/plan/x/messages/" + "y" * 200)
    assert len(topic) <= 32 and all(c.isalnum() or c in "-_" for c in topic)


def test_sends_are_counted_by_result_for_the_metrics(push_app, fake_push, make_worker):
    """min_plan_notifications_sent_total{channel="push",result=…} (patient_app/metrics.py)."""
    from prometheus_client import REGISTRY

    def counted(result: str) -> float:
        return REGISTRY.get_sample_value("min_plan_notifications_sent_total", {"channel": "push", "result": result}) or 0

    before = {result: counted(result) for result in ("sent", "gone")}
    with push_app.app_context():
        gone = add_device(fake_push, "patient")
        add_device(fake_push, "patient")
        fake_push.answer(gone, 410)
        queue_message()
    make_worker().drain()
    assert counted("sent") - before["sent"] == 1
    assert counted("gone") - before["gone"] == 1
