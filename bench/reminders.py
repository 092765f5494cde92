"""The time to send 10,000 meeting reminders, end to end, through the real push worker.

    .venv/bin/python bench/reminders.py [--reminders 10000] [--concurrency 8] [--latency-ms 0] [--postgres]

Seeds --reminders synthetic plans (bench/seed_large.py, no messages) whose owners each
have one phone subscribed to the fake push service (tests/notify/fake_push.py, in its own
process so that its decryption does not share the worker's CPU), and moves each plan's
coming meeting to 20 hours from now: the day-before reminder is due for every owner, and
nothing else. Then one PushWorker does what it does every minute in production and is timed:

1. scheduling: ``maybe_enqueue_reminders()``: finds the due meetings, checks each person's
   access and choices, records the reminder once (SentReminder) and queues the outbox rows;
2. sending: ``drain()``: claims, writes the payload in the person's language, re-checks
   access, encrypts, signs (VAPID), POSTs and records each one.

The fake service decrypts every request and checks every VAPID signature; the script fails
unless each of the reminders arrived exactly once, decrypted and verified. The database is
a fresh SQLite file, or with --postgres a throwaway PostgreSQL database on 127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.push_throughput import push_service  # noqa: E402  (the fake push service in its own process)


def subscribe_owners(url: str, subscriptions: list[dict]) -> int:
    """One phone per synthetic plan's owner; returns how many."""
    from sqlalchemy import create_engine, insert, select

    from patient_app.models import Membership, PushSubscription, Role
    from patient_app.models.people import Person

    engine = create_engine(url)
    with engine.begin() as connection:
        owners = connection.execute(
            select(Membership.person_id).join(Person, Person.id == Membership.person_id)
            .where(Membership.role == Role.OWNER, Person.name.like("Pasient %")).order_by(Membership.person_id)
        ).scalars().all()
        rows = [{"person_id": person_id, "endpoint": info["endpoint"], "p256dh": info["keys"]["p256dh"],
                 "auth": info["keys"]["auth"]} for person_id, info in zip(owners, subscriptions)]
        connection.execute(insert(PushSubscription), rows)
    engine.dispose()
    return len(rows)


def meetings_due_tomorrow(url: str, now: dt.datetime) -> int:
    """Every coming meeting to 20 hours from now: in the day-before reminder's window only."""
    from sqlalchemy import create_engine, update

    from patient_app.models import Meeting

    starts = now + dt.timedelta(hours=20)
    engine = create_engine(url)
    with engine.begin() as connection:
        moved = connection.execute(
            update(Meeting).where(Meeting.starts_at > now).values(starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
        ).rowcount
    engine.dispose()
    return moved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=10_000, help="plans, each owner with one phone")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight in the worker")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="the fake push service's answer time")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL database, not SQLite")
    arguments = parser.parse_args()

    import logging

    logging.disable(logging.WARNING)
    os.environ.setdefault("MIN_PLAN_ENV", "testing")
    from bench.seed_large import seed
    from patient_app import create_app
    from patient_app.extensions import db
    from patient_app.models._base import utcnow
    from patient_app.notify.worker import PushWorker, WorkerSettings
    from tests.conftest import TEST_CONFIG

    infos, commands, results = multiprocessing.Queue(), multiprocessing.Queue(), multiprocessing.Queue()
    service = multiprocessing.Process(target=push_service, args=(arguments.reminders, arguments.latency_ms / 1000,
                                                                 infos, commands, results))
    service.start()
    subscriptions = infos.get(timeout=300)

    with tempfile.TemporaryDirectory() as tmp:
        database_name = None
        if arguments.postgres:
            from bench.run import create_database, drop_database

            database_name = f"min_plan_bench_reminders_{os.getpid()}"
            url = create_database(database_name)
        else:
            url = f"sqlite:///{tmp}/reminders.sqlite"
        try:
            started = time.perf_counter()
            seed(url, arguments.reminders, messages_per_plan=0, quiet=True)
            devices = subscribe_owners(url, subscriptions)
            now = utcnow()
            moved = meetings_due_tomorrow(url, now)
            seeding = time.perf_counter() - started

            app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
            worker = PushWorker(app, worker_id="bench-reminders",
                                settings=WorkerSettings(batch_size=50, concurrency=arguments.concurrency))
            started = time.perf_counter()
            queued = worker.maybe_enqueue_reminders()
            scheduled = time.perf_counter()
            sent = worker.drain(max_rounds=1_000_000).sent
            finished = time.perf_counter()
            with app.app_context():
                db.engine.dispose()
        finally:
            if database_name:
                drop_database(database_name)

    commands.put("done")
    checked = results.get(timeout=120)
    service.join()
    schedule_s, send_s, total_s = scheduled - started, finished - scheduled, finished - started
    database = "PostgreSQL" if arguments.postgres else "SQLite"
    print(f"{sent:,}/{arguments.reminders:,} meeting reminders sent by 1 worker (concurrency {arguments.concurrency}, "
          f"push service latency {arguments.latency_ms:g} ms) on {database} in {total_s:.1f} s end to end")
    print(f"  scheduling (find due meetings, check access and choices, record, queue): {schedule_s:.2f} s "
          f"for {queued:,} people ({queued / schedule_s:,.0f}/s)")
    print(f"  sending (claim, payload, re-check access, encrypt, VAPID, POST, record): {send_s:.1f} s "
          f"({sent / send_s:,.0f}/s)")
    print(f"  set-up, not timed: {arguments.reminders:,} plans, {devices:,} phones, {moved:,} meetings moved to "
          f"tomorrow in {seeding:.0f} s")
    print(f"push service: {checked['requests']:,} requests to {checked['devices']:,} phones, "
          f"{checked['decrypted']:,} decrypted, {checked['vapid_valid']:,} with a valid VAPID signature")
    if not (queued == sent == arguments.reminders == checked["requests"] == checked["decrypted"]
            == checked["vapid_valid"] == checked["devices"]):
        sys.exit("some reminders were not queued, delivered, decrypted or verified exactly once")


if __name__ == "__main__":
    main()
