"""`flask push-worker` as a real process, killed in the middle of a batch.

What the design guarantees (patient_app/notify/worker.py): a worker writes what
happened to its rows in groups (``Ledger``, every ``record_every`` rows and at
the end of a batch), after the requests of a group (``concurrency`` at once)
have come back. A worker killed with SIGKILL leaves its claimed rows to become
due when the lease ends; the rows it had already sent but not yet recorded are
then sent once more. So:

- every notification arrives at least once;
- only a row the killed worker held in its claim can arrive twice, and never
  more than twice;
- at most ``record_every - 1`` recorded-in-memory rows plus one group in flight
  (``concurrency``) can arrive twice.

SIGTERM is a graceful stop: the requests in flight finish and are recorded, the
rest of the batch is handed back, and the worker exits 0; nothing arrives twice.

The fake push service answers slowly, so a batch is in flight when the signal comes.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from patient_app.extensions import db
from patient_app.models import NotificationKind, OutboxItem
from patient_app.notify import enqueue
from patient_app.notify.worker import WorkerSettings
from tests.conftest import TEST_CONFIG
from tests.notify.conftest import add_device, person, owned_plan
from tests.notify.fake_push import FakePushService

REPO = Path(__file__).resolve().parents[2]
NOTIFICATIONS = 60
CONCURRENCY = 4
LATENCY = 0.2  # seconds the fake push service takes to answer each request
# Short, so the test need not wait two minutes for a dead worker's lease; still longer than
# two timeouts, as the worker requires (it starts no send its lease might not outlast).
LEASE, TIMEOUT = 5.0, 1.5


@pytest.fixture
def slow_push():
    with FakePushService(latency=LATENCY) as service:
        yield service


def queue_notifications(app, service) -> tuple[object, list[str]]:
    """One device for the patient and NOTIFICATIONS messages from the coordinator, each its own URL."""
    with app.app_context():
        phone = add_device(service, "patient")
        plan = owned_plan("patient")
        urls = [f"/plan/{plan.public_id}/messages/kill-test-{number}" for number in range(NOTIFICATIONS)]
        for url in urls:
            enqueue(db.session, plan_id=plan.id, kind=NotificationKind.MESSAGE, url=url,
                    actor_id=person("coordinator").id)
        db.session.commit()
        assert outbox_rows(app) == NOTIFICATIONS, "one outbox row per notification (the patient's one device)"
    return phone, urls


def start_worker(app, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "MIN_PLAN_ENV": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": TEST_CONFIG["SECRET_KEY"],  # the VAPID key is derived from it in testing
        "PID_HASH_KEY": TEST_CONFIG["PID_HASH_KEY"],
        "OIDC_CLIENT_SECRET": TEST_CONFIG["OIDC_CLIENT_SECRET"],
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "flask", "--app", "patient_app", "push-worker",
               "--concurrency", str(CONCURRENCY), "--lease", str(LEASE), "--timeout", str(TIMEOUT)]
    with open(log, "a", encoding="utf-8") as output:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT)


def outbox_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxItem))


def urls_claimed_by(app, pid: int) -> set[str]:
    """The URLs of the rows a worker process holds a claim on (its id is host-pid-random)."""
    with app.app_context():
        return set(db.session.scalars(select(OutboxItem.url).where(OutboxItem.claimed_by.like(f"%-{pid}-%"))))


def deliveries(service, phone) -> collections.Counter:
    return collections.Counter(payload["url"] for payload in service.payloads(phone))


def wait_for(condition, timeout: float, what: str, worker: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) while waiting for {what}:\n{log.read_text()}")
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout} s waiting for {what}" + (f":\n{log.read_text()}" if log else ""))


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.kill()
        worker.wait(timeout=10)


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_only_what_it_held(push_app, slow_push, tmp_path):
    phone, urls = queue_notifications(push_app, slow_push)
    log = tmp_path / "worker.log"
    first = start_worker(push_app, log)
    try:
        # Some sent, most still to go: the kill lands in the middle of a batch.
        wait_for(lambda: len(slow_push.payloads(phone)) >= 3 * CONCURRENCY, 60, "the first sends", first, log)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    held_at_kill = urls_claimed_by(push_app, first.pid)
    delivered_at_kill = deliveries(slow_push, phone)
    assert held_at_kill, "the worker was killed while holding a claim (otherwise this tests nothing)"
    assert len(delivered_at_kill) < NOTIFICATIONS, "the worker was killed before it had sent everything"

    second = start_worker(push_app, log)
    try:
        # The dead worker's rows come back when its lease ends; everything goes out.
        wait_for(lambda: outbox_rows(push_app) == 0, LEASE + 60, "an empty outbox", second, log)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=20) == 0, log.read_text()
    finally:
        stop(second)

    delivered = deliveries(slow_push, phone)
    assert set(delivered) == set(urls), f"lost: {sorted(set(urls) - set(delivered))}"
    twice = {url for url, count in delivered.items() if count > 1}
    assert max(delivered.values()) <= 2, f"sent more than twice: {delivered.most_common(3)}"
    assert twice <= held_at_kill, f"sent twice though the killed worker did not hold them: {twice - held_at_kill}"
    settings = WorkerSettings()
    bound = settings.record_every - 1 + CONCURRENCY
    assert len(twice) <= bound, f"{len(twice)} notifications sent twice; the design allows {bound}"
    assert all(received.vapid_valid for received in slow_push.received_by(phone))


def test_sigterm_finishes_the_sends_in_flight_hands_back_the_rest_and_nothing_repeats(push_app, slow_push, tmp_path):
    phone, urls = queue_notifications(push_app, slow_push)
    log = tmp_path / "worker.log"
    first = start_worker(push_app, log)
    try:
        wait_for(lambda: len(slow_push.payloads(phone)) >= 2 * CONCURRENCY, 60, "the first sends", first, log)
        first.send_signal(signal.SIGTERM)
        # One group in flight (LATENCY each) and one short write; generous for a busy machine.
        assert first.wait(timeout=15) == 0, log.read_text()
    finally:
        stop(first)
    sent_by_first = deliveries(slow_push, phone)
    assert len(sent_by_first) < NOTIFICATIONS, "stopped before the end of its work, not after"
    assert not urls_claimed_by(push_app, first.pid), "every row it had claimed was recorded or handed back"
    assert outbox_rows(push_app) == NOTIFICATIONS - len(sent_by_first), "what it sent is recorded as sent"

    second = start_worker(push_app, log)
    try:
        wait_for(lambda: outbox_rows(push_app) == 0, 60, "an empty outbox", second, log)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=20) == 0, log.read_text()
    finally:
        stop(second)

    delivered = deliveries(slow_push, phone)
    assert set(delivered) == set(urls), f"lost: {sorted(set(urls) - set(delivered))}"
    assert set(delivered.values()) == {1}, f"sent twice: {[url for url, n in delivered.items() if n > 1]}"
