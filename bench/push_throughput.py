"""Push sends per second for one worker, against the fake push service in another process.

    .venv/bin/python bench/push_throughput.py [--devices 200] [--messages 5] [--workers 1]
                                              [--concurrency 8] [--latency-ms 0]

The fake push service (tests/notify/fake_push.py) runs in its own process so
that its decryption does not share the worker's CPU; it decrypts every
request and checks every VAPID signature, and the script fails if any did
not verify. The database is a fresh SQLite file with the demo people (or
DATABASE_URL_TEST, e.g. PostgreSQL). What is timed is ``PushWorker.drain()``:
claim, build the payload in the person's language, re-check access, encrypt,
sign (VAPID), POST, record. ``--latency-ms`` makes the fake service answer
that much later, as a push service across the internet does (FCM: tens of ms).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def push_service(devices: int, latency: float, infos, commands, results) -> None:
    from tests.notify.fake_push import FakePushService

    with FakePushService(latency=latency) as service:
        infos.put([service.subscribe().info for _ in range(devices)])
        commands.get()  # wait for "done"
        received = list(service.received)
        results.put({
            "requests": len(received),
            "decrypted": sum(1 for r in received if r.payload and r.payload.get("title") == "Min plan"),
            "vapid_valid": sum(1 for r in received if r.vapid_valid),
            "devices": len({r.key_id for r in received}),
        })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight per worker")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="the fake push service's answer time")
    arguments = parser.parse_args()

    import logging

    logging.disable(logging.WARNING)
    from sqlalchemy import select

    from patient_app import create_app
    from patient_app.database import Base
    from patient_app.demo.people import demo_person
    from patient_app.demo.seed import seed_demo
    from patient_app.extensions import db
    from patient_app.models import NotificationKind, Person, Plan, PushSubscription, hash_pid
    from patient_app.notify import enqueue
    from patient_app.notify.worker import PushWorker, WorkerSettings
    from tests.conftest import TEST_CONFIG

    infos, commands, results = multiprocessing.Queue(), multiprocessing.Queue(), multiprocessing.Queue()
    service = multiprocessing.Process(target=push_service, args=(arguments.devices, arguments.latency_ms / 1000, infos, commands, results))
    service.start()
    subscriptions = infos.get(timeout=60)

    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL_TEST") or f"sqlite:///{tmp}/bench.sqlite"
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            Base.metadata.drop_all(db.engine)
            Base.metadata.create_all(db.engine)
            seed_demo()
            digest = hash_pid(demo_person("patient").pid, app.config["PID_HASH_KEY"])
            patient = db.session.scalar(select(Person).where(Person.pid_hash == digest))
            coordinator_digest = hash_pid(demo_person("coordinator").pid, app.config["PID_HASH_KEY"])
            coordinator = db.session.scalar(select(Person).where(Person.pid_hash == coordinator_digest))
            plan = db.session.scalar(select(Plan).where(Plan.owner_id == patient.id))
            for info in subscriptions:
                db.session.add(PushSubscription(person_id=patient.id, endpoint=info["endpoint"],
                                                p256dh=info["keys"]["p256dh"], auth=info["keys"]["auth"]))
            db.session.commit()
            for number in range(arguments.messages):
                enqueue(db.session, plan_id=plan.id, kind=NotificationKind.MESSAGE,
                        url=f"/plan/{plan.public_id}/messages/{number}", actor_id=coordinator.id)
            db.session.commit()

        total = arguments.devices * arguments.messages
        workers = [PushWorker(app, worker_id=f"bench-{n}", settings=WorkerSettings(batch_size=50, concurrency=arguments.concurrency))
                   for n in range(arguments.workers)]
        counts = [0] * len(workers)

        def run(index):
            counts[index] = workers[index].drain(max_rounds=100_000).sent

        started = time.perf_counter()
        threads = [threading.Thread(target=run, args=(n,)) for n in range(len(workers))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        with app.app_context():
            db.engine.dispose()

    commands.put("done")
    checked = results.get(timeout=60)
    service.join()
    sent = sum(counts)
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{sent}/{total} notifications sent by {len(workers)} worker(s) "
          f"(concurrency {arguments.concurrency}, push service latency {arguments.latency_ms:g} ms) "
          f"in {elapsed:.2f} s on {database}")
    print(f"push service: {checked['requests']} requests, {checked['decrypted']} decrypted, "
          f"{checked['vapid_valid']} with a valid VAPID signature")
    print(f"{sent / elapsed:.0f} sends per second in all, {sent / elapsed / len(workers):.0f} per worker")
    if not (sent == total == checked["decrypted"] == checked["vapid_valid"] == checked["requests"]):
        sys.exit("some notifications were not delivered, decrypted or verified exactly once")


if __name__ == "__main__":
    main()
