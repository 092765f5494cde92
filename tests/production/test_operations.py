"""What the operators see: health checks, metrics, and a rolling restart under load."""

from __future__ import annotations

import re
import threading

import requests
from bs4 import BeautifulSoup
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from tests.production.test_proxy_and_limits import direct_client


def test_health_checks_say_yes_or_no_and_nothing_else(cluster):
    http = direct_client(cluster)
    for path in ("/healthz/live", "/healthz/ready"):
        answer = http.get(cluster.app_url + path)
        assert (answer.status_code, answer.text) == (200, "ok\n")
        assert "Set-Cookie" not in answer.headers, "a health check never starts a session"


def test_metrics_are_served_apart_from_the_app_without_personal_labels(cluster):
    http = direct_client(cluster)
    plan_page = http.get(cluster.app_url + "/about-individual-plan")
    assert plan_page.ok
    assert http.get(cluster.app_url + "/metrics").status_code == 404, "the proxy's address has no metrics"

    text = "\n".join(requests.get(server.metrics_url, timeout=5).text for server in cluster.servers)
    assert re.search(r'min_plan_http_requests_total\{method="GET",route="/about-individual-plan",status="200"\} [1-9]', text)
    assert "min_plan_http_request_seconds_bucket" in text
    assert re.search(r"^min_plan_outbox_rows \d", text, re.MULTILINE)
    assert re.search(r"^min_plan_outbox_oldest_seconds [\d.]", text, re.MULTILINE)
    assert not personal_labels(text)


def personal_labels(text: str) -> list[str]:
    """Label values in Prometheus text that look like a person's or a plan's: an id, 11 digits."""
    labels = re.findall(r'="([^"]*)"', text)
    return [value for value in labels if re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-|\d{11}", value)]


def test_the_label_check_catches_a_real_id_and_an_identity_number():
    """The check above, shown what a route label with a filled-in URL would look like."""
    sample = ('min_plan_http_requests_total{method="GET",route="/plan/<uuid:plan_id>/goals",status="200"} 3\n'
              'min_plan_http_requests_total{method="GET",route="/plan/3f2c1a9e-1b2c-4d5e-8f90-123456789abc/goals",'
              'status="200"} 1\nmin_plan_x{person="12868410602"} 1\n')
    assert personal_labels(sample) == ["/plan/3f2c1a9e-1b2c-4d5e-8f90-123456789abc/goals", "12868410602"]


# More clients than the two servers' two workers: requests wait in gunicorn's listen queue,
# which is where a SIGTERM without the drain step drops them.
CLIENTS = 8


def test_a_rolling_restart_under_load_fails_no_request(cluster):
    """Each server in turn: out of nginx, SIGTERM, start, ready, back in; meanwhile eight
    clients keep reading pages and sending forms through nginx. nginx never retries a POST
    on another server, so a form sent while a server stops is the request that shows
    whether anything is dropped (before the drain step, the cluster soak saw one 502)."""
    failures, answered, stop = [], [0], threading.Event()

    def client():
        http = direct_client(cluster)
        # A reload makes nginx's old workers close the connections they kept alive, at any
        # moment, a TLS handshake included; a browser that finds its connection closed before
        # any answer sends the request again on a new one (Chromium does so for POST too).
        # The test client does the same: a new connection up to twice, a request resent once
        # (also after a handshake the closing worker broke: urllib3 counts that as "other").
        http.mount("https://", HTTPAdapter(max_retries=Retry(total=3, connect=2, read=1, status=0, other=1,
                                                              allowed_methods=None, raise_on_status=False)))
        page = BeautifulSoup(http.get(cluster.app_url + "/about-individual-plan").text, "html.parser")
        form = {"csrf_token": page.select_one("input[name=csrf_token]")["value"], "language": "nb",
                "next": "/about-individual-plan"}
        while not stop.is_set():
            try:
                read = http.get(cluster.app_url + "/about-individual-plan", timeout=10).status_code
                sent = http.post(cluster.app_url + "/language", data=form, allow_redirects=False, timeout=10).status_code
            except requests.RequestException as error:
                failures.append(type(error).__name__)
                continue
            answered[0] += 2
            failures.extend(status for status, ok in ((read, 200), (sent, 302)) if status != ok)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        cluster.rolling_restart()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert answered[0] > 50, answered
    assert not failures, f"{len(failures)} of {answered[0] + len(failures)} requests failed: {failures[:10]}"
