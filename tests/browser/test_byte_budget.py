"""The byte budget: a logged-in first visit to the overview transfers at most 60 KB, and a
repeat visit fetches only the page itself (static files come from the browser's caches).

What is counted (first visit): every request the *page* made for that page load to the
app's origin, as Chromium's DevTools protocol reports it on the page's own target: the
HTML, stylesheets, scripts (with the modules app.js imports), icons, and fonts and the web
app manifest if the page loads them. The figure is
``Network.loadingFinished.encodedDataLength``: bytes on the wire, headers included,
bodies as sent (gzip). Not counted: what the service worker fetches itself to
precache the app shell (its requests come through the worker's own target, not the
page's, and happen after the page has loaded), and the ID-porten login, which is done
beforehand in another browser context whose cookies the fresh context takes over, so
that its HTTP cache is empty.

Chromium fetches the service-worker script for the registration outside the page
target, so it is not in the figure either; the test prints what the server saw besides.

The repeat visit is checked on the server and in the browser: while the same context
opens the overview again, the app must see the page once and no request under
/static/ at all, and every other request of the page must have been answered by the
HTTP cache (hashed files, ``immutable``) or the service worker (the app shell it
precached after the first visit: app.js and its modules, by their hashed names).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flask import request, request_started
from sqlalchemy import select

from patient_app import assets
from patient_app.extensions import db
from patient_app.models import Plan
from tests.browser.helpers import person_row
from tests.browser.helpers import log_in, wait_until_settled

BUDGET_BYTES = 60_000  # 60 KB, counted in thousands: the stricter reading
PAGE_DESTINATIONS = {"document", "style", "script", "image", "font", "manifest"}  # Sec-Fetch-Dest of what a page loads


@dataclass
class Fetch:
    url: str
    kind: str = ""
    initiator: str = ""
    status: int = 0
    encoded_bytes: int = 0
    from_cache: bool = False
    from_service_worker: bool = False
    finished: bool = False
    failed: str = ""


@dataclass
class NetworkLog:
    """Requests of one page target, from the DevTools protocol."""

    fetches: dict[str, Fetch] = field(default_factory=dict)

    def attach(self, cdp) -> None:
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})

    def _sent(self, event) -> None:
        # A redirect reuses the requestId: the last URL wins, the bytes add up.
        previous = self.fetches.get(event["requestId"])
        self.fetches[event["requestId"]] = Fetch(
            url=event["request"]["url"],
            kind=event.get("type", ""),
            initiator=event.get("initiator", {}).get("type", ""),
            encoded_bytes=previous.encoded_bytes if previous else 0,
        )

    def _received(self, event) -> None:
        fetch = self.fetches.get(event["requestId"])
        if fetch:
            response = event["response"]
            fetch.status = response.get("status", 0)
            fetch.from_cache = fetch.from_cache or bool(response.get("fromDiskCache") or response.get("fromPrefetchCache"))
            fetch.from_service_worker = bool(response.get("fromServiceWorker"))

    def _from_cache(self, event) -> None:
        if fetch := self.fetches.get(event["requestId"]):
            fetch.from_cache = True

    def _finished(self, event) -> None:
        if fetch := self.fetches.get(event["requestId"]):
            fetch.encoded_bytes += int(event.get("encodedDataLength", 0))
            fetch.finished = True

    def _failed(self, event) -> None:
        if fetch := self.fetches.get(event["requestId"]):
            fetch.failed = event.get("errorText", "failed")

    def of_origin(self, origin: str) -> list[Fetch]:
        return [f for f in self.fetches.values() if f.url.startswith(origin + "/")]


class ServerLog:
    """Every request the live app receives while recording: (path, Sec-Fetch-Dest)."""

    def __init__(self, app):
        self.app = app
        self.seen: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def _record(self, sender, **extra) -> None:
        with self._lock:
            self.seen.append((request.path, request.headers.get("Sec-Fetch-Dest", "")))

    def __enter__(self):
        request_started.connect(self._record, self.app)
        return self

    def __exit__(self, *exc):
        request_started.disconnect(self._record, self.app)


def overview_url(app_url: str, app) -> str:
    with app.app_context():
        plan = db.session.scalar(select(Plan).where(Plan.owner_id == person_row(app, "patient").id))
        return f"{app_url}/plan/{plan.public_id}/"


def table(fetches: list[Fetch], origin: str) -> str:
    lines = [f"  {'bytes':>7}  {'status':>6}  {'type':<10} {'initiator':<9} url"]
    for fetch in sorted(fetches, key=lambda f: -f.encoded_bytes):
        where = " (cache)" if fetch.from_cache else " (service worker)" if fetch.from_service_worker else ""
        lines.append(
            f"  {fetch.encoded_bytes:>7}  {fetch.status:>6}  {fetch.kind:<10} {fetch.initiator:<9} "
            f"{fetch.url.removeprefix(origin)}{where}{' FAILED ' + fetch.failed if fetch.failed else ''}"
        )
    return "\n".join(lines)


def test_first_visit_fits_60_kb_and_a_repeat_visit_fetches_only_the_page(live, new_context, capsys):
    app_url, _issuer, app = live
    origin = app_url.rstrip("/")
    target = overview_url(app_url, app)
    # What `make bootstrap` builds (hashed, gzipped static files); built here if a file changed since.
    if assets.stale(app.static_folder):
        assets.build(Path(app.static_folder))

    # Log in elsewhere; the fresh context gets the cookies only: an empty cache, no service worker.
    login_context = new_context()
    log_in(login_context.new_page(), app_url, "patient")
    context = new_context(storage_state=login_context.storage_state())
    login_context.close()
    page = context.new_page()
    network = NetworkLog()
    network.attach(context.new_cdp_session(page))

    with ServerLog(app) as first_server:
        page.goto(target, wait_until="load")
        assert urlsplit(page.url).path == urlsplit(target).path, f"not logged in: landed on {page.url}"
        assert wait_until_settled(page) == "ready"
        page.wait_for_load_state("networkidle")
    first = network.of_origin(origin)
    total = sum(f.encoded_bytes for f in first)
    report = f"First visit to the overview, logged in: {total} bytes transferred in {len(first)} requests " \
             f"(budget {BUDGET_BYTES})\n{table(first, origin)}"
    with capsys.disabled():
        print("\n" + report)
    assert all(f.finished and not f.failed for f in first), report
    assert not [f for f in first if f.from_cache or f.from_service_worker], "a first visit has nothing cached"
    assert [f.kind for f in first].count("Document") == 1, report
    assert total <= BUDGET_BYTES, report
    # Sanity: the page did load its stylesheet and scripts through this log, and the log
    # holds every request the server saw for the page (the rest came from the service worker).
    assert {"Document", "Stylesheet", "Script"} <= {f.kind for f in first}, report
    counted = {urlsplit(f.url).path for f in first}
    for path, dest in first_server.seen:
        if dest in PAGE_DESTINATIONS:
            assert path in counted, f"{path} ({dest}) reached the server but is not counted\n{report}"
    not_counted = sorted({f"{path} ({dest or '-'})" for path, dest in first_server.seen if path not in counted})
    with capsys.disabled():
        print("  not counted (the service worker's own requests): " + ", ".join(not_counted))

    # The repeat visit: the same phone opens the overview again.
    network.fetches.clear()
    with ServerLog(app) as repeat_server:
        page.goto(target, wait_until="load")
        wait_until_settled(page)
        page.wait_for_load_state("networkidle")
    repeat = network.of_origin(origin)
    report = f"Repeat visit: the server saw {repeat_server.seen}\n{table(repeat, origin)}"
    with capsys.disabled():
        print(report)
    # The page itself comes from the network (through the service worker, which passes it on).
    assert [path for path, _dest in repeat_server.seen if path == urlsplit(target).path] == [urlsplit(target).path], report
    static_asked = [(path, dest) for path, dest in repeat_server.seen if path.startswith("/static/")]
    assert not static_asked, f"static files were fetched from the server again: {static_asked}\n{report}"
    assert not [f for f in repeat if f.kind != "Document" and not (f.from_cache or f.from_service_worker)], report
