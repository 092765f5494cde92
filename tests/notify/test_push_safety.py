"""The worker against hostile endpoints and hostile push services (issue 14, sections 1 and 2)."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
from sqlalchemy import func, select

from patient_app.extensions import db
from patient_app.models import NotificationKind, OutboxItem, PushSubscription
from patient_app.notify import enqueue
from patient_app.notify.push_http import is_public_address
from patient_app.notify.worker import PushWorker, WorkerSettings
from tests.notify.conftest import add_device, person, owned_plan
from tests.notify.fake_push import FakePushService, FakeSubscription
from tests.notify.hostile_push import RawListener


def queue_messages(count: int = 1) -> None:
    plan = owned_plan("patient")
    for number in range(count):
        enqueue(db.session, plan_id=plan.id, kind=NotificationKind.MESSAGE, url=f"/plan/{plan.public_id}/m/{number}",
                actor_id=person("coordinator").id)
    db.session.commit()


def add_subscription(endpoint: str, p256dh: str | None = None) -> FakeSubscription:
    """A row as an older version (or a forged request) may have stored it, past today's registration checks."""
    subscription = FakeSubscription(endpoint=endpoint)
    db.session.add(PushSubscription(person_id=person("patient").id, endpoint=endpoint,
                                    p256dh=p256dh or subscription.p256dh, auth=subscription.auth, device_label="Test"))
    db.session.commit()
    return subscription


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- Section 1: where the worker may connect --------------------------------------------


def test_a_push_service_that_redirects_gets_no_second_request(push_app, fake_push, make_worker):
    with FakePushService() as elsewhere, push_app.app_context():
        phone = add_device(fake_push, "patient")
        target = elsewhere.subscribe()
        fake_push.answer(phone, (307, {"Location": target.endpoint}))
        queue_messages()
        result = make_worker().drain()
        assert result.statuses == [307] and result.dropped == 1
        assert len(fake_push.received_by(phone)) == 1
        assert elsewhere.received == [], "the redirect was followed"


def test_without_local_endpoints_a_stored_local_endpoint_gets_nothing_and_is_forgotten(push_app, fake_push, clock):
    push_app.config["PUSH_ALLOW_LOCAL_ENDPOINTS"] = False  # as in production
    with push_app.app_context():
        add_device(fake_push, "patient")  # stored while local endpoints were allowed
        queue_messages()
    result = PushWorker(push_app, settings=WorkerSettings(), clock=clock).drain()
    assert fake_push.received == []
    assert result.gone == 1
    with push_app.app_context():
        assert count(PushSubscription) == 0 and count(OutboxItem) == 0


def test_a_push_service_name_that_resolves_to_an_internal_address_is_sent_not_one_byte(push_app, clock, monkeypatch):
    """DNS may answer 127.0.0.1 for an allowed name; the address is checked once connected, before sending."""
    push_app.config["PUSH_ALLOW_LOCAL_ENDPOINTS"] = False
    with RawListener() as internal:
        real_getaddrinfo = socket.getaddrinfo

        def rebinding_dns(host, port, *args, **kwargs):
            if host == "rebound.fcm.googleapis.com":
                return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", internal.port))]
            return real_getaddrinfo(host, port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
        with push_app.app_context():
            add_subscription("https://rebound.fcm.googleapis.com/fcm/send/x")
            queue_messages()
        result = PushWorker(push_app, settings=WorkerSettings(timeout=(2.0, 2.0)), clock=clock).drain()
        time.sleep(0.2)  # let the listener read whatever was sent
        assert len(internal.connections) <= 1
        assert internal.bytes_received == 0, "the worker talked to an internal address"
        assert result.statuses == [None] and result.retried == 1, "tried again later, as for a network failure"


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1", "2001:0:4136:e378:8000:63bf:80ff:fffe",
])
def test_internal_addresses_in_every_spelling_are_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["142.250.74.10", "2a00:1450:400f:80d::200a", "64:ff9b::8efa:4a0a"])
def test_public_addresses_are_public(address):
    assert is_public_address(address)


# --- Section 2: slow and broken push services --------------------------------------------

# An answer that would be a success, dripped a byte at a time: each byte well inside the read timeout.
DRIPPED_201 = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nX-Padding: " + b"x" * 40 + b"\r\n\r\n"


def test_a_push_service_that_drips_its_answer_is_cut_off_within_the_lease(push_app):
    """Each request ends at connect + read timeout in all, so no send outlives the worker's claim."""
    lease, timeout = 5.0, (1.0, 1.0)
    with RawListener(answer=DRIPPED_201, drip=0.25) as slow, push_app.app_context():
        add_subscription(f"http://127.0.0.1:{slow.port}/push/slow")
        queue_messages(3)
        worker = PushWorker(push_app, settings=WorkerSettings(
            timeout=timeout, lease=dt.timedelta(seconds=lease), concurrency=1))
        started = time.monotonic()
        result = worker.run_once()
        took = time.monotonic() - started
        assert took < lease, f"the batch took {took:.1f} s, past its {lease} s lease"
        assert result.statuses == [None, None] and result.retried == 2
        assert result.deferred == 1, "the third would have run past the lease: handed back instead"
        time.sleep(0.2)
        assert all(c.closed_at is not None and c.closed_at - started < lease for c in slow.connections)
        db.session.expire_all()
        assert sorted(db.session.scalars(select(OutboxItem.attempts))) == [0, 1, 1], "each cut-off counts as a try"


# A p256dh of the right length and form (0x04, x, y) whose point is not on the P-256 curve.
OFF_CURVE_KEY = "BAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE"


def test_one_unusable_key_delays_no_one_else_and_is_dropped_after_its_attempts(push_app, fake_push, make_worker, clock):
    with push_app.app_context():
        broken = fake_push.subscribe()
        add_subscription(broken.endpoint, p256dh=OFF_CURVE_KEY)
        phone = add_device(fake_push, "patient")
        queue_messages(2)
    worker = make_worker(max_attempts=3)
    first = worker.drain()
    assert first.sent == 2 and len(fake_push.payloads(phone)) == 2, "the good device got both, at once"
    assert first.retried == 2, "the broken one's rows are counted as failed tries"
    for _ in range(3):
        clock.advance(hours=1)
        worker.drain()
    assert fake_push.received_by(broken) == [], "nothing can be encrypted for it"
    assert len(fake_push.payloads(phone)) == 2, "and nothing was sent twice to the good one"
    with push_app.app_context():
        assert count(OutboxItem) == 0, "dropped after its attempts, not kept until stale"
