"""Metrics in Prometheus' text format, for the operators' monitoring (README: "Metrics").

Labels hold only what the code chose: a route as written in the URL map
("/plan/<uuid:plan_id>/goals", never a real id), a method, a status, a channel, a result.
Nothing a person typed or is (no names, ids, addresses) becomes a label.

They are served by gunicorn's master on METRICS_BIND (gunicorn.conf.py), an address of
its own that the proxy does not forward, never by a route of the app. With several workers
prometheus_client keeps each worker's numbers in PROMETHEUS_MULTIPROC_DIR and adds them up.
"""

from __future__ import annotations

import time

from flask import Flask, g, request
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("min_plan_http_requests", "Requests answered, by route, method and status.",
                   ["route", "method", "status"])
LATENCY = Histogram("min_plan_http_request_seconds", "Time to answer a request, by route.", ["route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
SENDS = Counter("min_plan_notifications_sent", "Notifications handed to a channel, by channel and result.",
                ["channel", "result"])


def count_sends(channel: str, result) -> None:
    """A batch's outcomes (sent, retried, dropped, gone, deferred: notify/worker.py BatchResult)."""
    for outcome in ("sent", "retried", "dropped", "gone", "deferred"):
        if getattr(result, outcome):
            SENDS.labels(channel, outcome).inc(getattr(result, outcome))


def route_label() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "(no route)"


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response):
    started = g.pop("metrics_started", None)
    if started is not None:
        route = route_label()
        REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        LATENCY.labels(route).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_observe)


class OutboxCollector:
    """The outbox's depth and the age of its oldest row, read at each scrape: a growing
    age means the push workers are down or stuck."""

    def __init__(self, database_url: str):
        from sqlalchemy import create_engine

        self.engine = create_engine(database_url, pool_size=1, max_overflow=0, pool_pre_ping=True)

    def collect(self):
        from sqlalchemy import func, select
        from sqlalchemy.exc import SQLAlchemyError

        from patient_app.models import OutboxItem
        from patient_app.models._base import utcnow

        depth = GaugeMetricFamily("min_plan_outbox_rows", "Notifications waiting in the outbox.")
        age = GaugeMetricFamily("min_plan_outbox_oldest_seconds", "Age of the oldest notification waiting.")
        try:
            with self.engine.connect() as connection:
                count, oldest = connection.execute(
                    select(func.count(OutboxItem.id), func.min(OutboxItem.created_at))
                ).one()
        except SQLAlchemyError:
            return  # no numbers rather than wrong ones; the scrape itself still answers
        depth.add_metric([], count)
        # min() keeps the column's type, so oldest comes back aware (UTCDateTime).
        age.add_metric([], (utcnow() - oldest).total_seconds() if oldest else 0.0)
        yield depth
        yield age


def serve_alone(bind: str) -> None:
    """In a process of its own (a push worker): its numbers on ``bind``."""
    from prometheus_client import start_http_server

    host, port = bind.rsplit(":", 1)
    start_http_server(int(port), addr=host)


def serve_for_gunicorn(bind: str, database_url: str) -> None:
    """In gunicorn's master: the sum over the workers, plus the outbox, on ``bind``."""
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    if database_url:
        registry.register(OutboxCollector(database_url))
    host, port = bind.rsplit(":", 1)
    start_http_server(int(port), addr=host, registry=registry)
