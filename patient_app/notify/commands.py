"""`flask vapid-keys`, `flask push-worker`, `flask send-reminders` (registered by patient_app/cli.py)."""

from __future__ import annotations

import logging
import os
import signal
import threading

import click
from flask import Flask, current_app


def register(app: Flask) -> None:
    @app.cli.command("vapid-keys")
    def vapid_keys_command():
        """Make a new VAPID key pair for Web Push; put the private key in the environment."""
        from patient_app.notify.vapid import generate_private_key, public_key_of

        private = generate_private_key()
        click.echo("# Keep the private key secret, like SECRET_KEY. Changing it ends every push subscription.")
        click.echo(f"VAPID_PRIVATE_KEY={private}")
        click.echo("VAPID_SUBJECT=mailto:drift@example.org  # a contact for the push services")
        click.echo(f"# Public key (the app derives it and gives it to the page): {public_key_of(private)}")

    @app.cli.command("push-worker")
    @click.option("--once", is_flag=True, help="Queue due reminders, send what is due, and stop.")
    @click.option("--batch-size", type=click.IntRange(1), default=None, help="Rows claimed at a time (default 50).")
    @click.option("--concurrency", type=click.IntRange(1), default=None, help="Requests in flight (default 8).")
    @click.option("--lease", type=click.FloatRange(min=1), default=None,
                  help="Seconds a claim lasts; a killed worker's rows are sent again after it (default 120).")
    @click.option("--timeout", type=click.FloatRange(min=0.1), default=None,
                  help="Seconds to connect to, and to wait for, a push service (default 5 and 10).")
    def push_worker_command(once: bool, batch_size: int | None, concurrency: int | None, lease: float | None,
                            timeout: float | None):
        """Send queued push notifications and meeting reminders until stopped.

        SIGTERM or Ctrl-C: the requests in flight finish and are recorded, the rest of
        the batch is handed back for the next worker, and the worker exits.
        """
        import datetime as dt

        from patient_app.notify import push_is_configured
        from patient_app.notify.worker import PushWorker, WorkerSettings

        logging.basicConfig(level=logging.INFO, format="%(asctime)s push-worker %(levelname)s %(message)s")
        if not push_is_configured(current_app.config):
            raise click.ClickException("VAPID_PRIVATE_KEY is not set: run `flask vapid-keys`")
        settings = WorkerSettings()
        if batch_size is not None:
            settings.batch_size = batch_size
        if concurrency is not None:
            settings.concurrency = concurrency
        if lease is not None:
            settings.lease = dt.timedelta(seconds=lease)
        if timeout is not None:
            settings.timeout = (timeout, timeout)
        if settings.lease.total_seconds() <= sum(settings.timeout):
            # The worker never starts a send its lease might not outlast: it would only hand rows back.
            raise click.UsageError("--lease must be longer than a whole send (connect and read timeouts)")
        worker = PushWorker(current_app._get_current_object(), settings=settings)
        if once:
            reminded = worker.maybe_enqueue_reminders()
            result = worker.drain()
            click.echo(f"reminded {reminded}; sent {result.sent}, retry later {result.retried}, "
                       f"dropped {result.dropped}, gone {result.gone}")
            return
        if os.environ.get("METRICS_BIND"):
            # Sends by result, on an address of its own (README: "Metrics").
            from patient_app.metrics import serve_alone

            serve_alone(os.environ["METRICS_BIND"])
        stop = threading.Event()
        for name in ("SIGINT", "SIGTERM"):
            signal.signal(getattr(signal, name), lambda *_: stop.set())
        worker.run(stop)

    @app.cli.command("send-reminders")
    def send_reminders_command():
        """Queue the meeting reminders that are due now (the push worker also does this every minute)."""
        from patient_app.extensions import db
        from patient_app.notify.reminders import enqueue_due_reminders

        click.echo(f"Reminders queued for {enqueue_due_reminders(db.session)} people.")
