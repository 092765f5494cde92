"""Min plan on the home screen, in Chromium: installable, the crisis plan offline, a clean device
after logout, a new version announced, and a push message shown as a notification.

Waiting is done by polling ``page.evaluate`` from Python: the app's CSP forbids the
string evaluation Playwright's ``wait_for_function`` uses, and that is how it should stay.
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from patient_app.demo.people import demo_person
from patient_app.extensions import db
from patient_app.models import NotificationKind, OutboxItem, Person, Plan, PushSubscription, hash_pid
from patient_app.views import pwa
from tests.browser import helpers
from tests.browser.helpers import STUB_PUSH_MANAGER

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "nb-NO"}


# --- Small helpers --------------------------------------------------------------------


def poll(page: Page, script: str, until=bool, timeout: float = 10.0):
    """Evaluate ``script`` until ``until(result)`` holds; returns the result."""
    deadline = time.monotonic() + timeout
    while True:
        result = page.evaluate(script)
        if until(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {script!r}; last result {result!r}")
        page.wait_for_timeout(100)


def log_in(page: Page, app_url: str, key: str) -> str:
    return helpers.log_in(page, app_url, key, settle=False)


def controlled(page: Page) -> None:
    """Wait until the service worker is active and controls this page (the first visit installs it).

    A page that was loaded while the browser was still clearing site data (just after logout)
    may miss the new worker's claim; loading it again is what a person's next tap does.
    """
    for attempt in range(2):
        try:
            poll(page, "!!navigator.serviceWorker.controller", timeout=8.0)
            return
        except AssertionError:
            if attempt:
                raise
            page.reload()


def cache_contents(page: Page) -> dict[str, list[str]]:
    return page.evaluate(
        """async () => {
            const result = {};
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                result[name] = (await cache.keys()).map((request) => new URL(request.url).pathname);
            }
            return result;
        }"""
    )


def person_id(app, key: str) -> int:
    digest = hash_pid(demo_person(key).pid, app.config["PID_HASH_KEY"])
    return db.session.scalar(select(Person.id).where(Person.pid_hash == digest))


def plan_path(app, key: str) -> str:
    with app.app_context():
        plan = db.session.scalar(select(Plan).where(Plan.owner_id == person_id(app, key)))
        return f"/plan/{plan.public_id}"


def keep_crisis_plan(page: Page, app_url: str, plan: str) -> None:
    page.goto(f"{app_url}{plan}/crisis-plan")
    switch = page.get_by_role("switch", name="Ha kriseplanen tilgjengelig uten nett på denne telefonen")
    expect(switch).to_be_visible()
    switch.check()
    expect(page.get_by_role("status").filter(has_text="Lagret på denne telefonen.")).to_be_visible()


@pytest.fixture
def phone(browser):
    """A phone-sized browser with its own storage; closed after the test."""
    context = browser.new_context(**PHONE)
    yield context
    context.close()


@pytest.fixture
def app(live):
    return live[2]


@pytest.fixture
def url(live):
    return live[0]


# --- Installable ------------------------------------------------------------------------


def test_chromium_reports_min_plan_installable(playwright_instance, url, tmp_path):
    # An incognito context is never installable ("in-incognito"): use a profile on disk.
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS, **PHONE
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(url + "/login")
        controlled(page)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [], manifest["errors"]
        deadline = time.monotonic() + 10
        while (errors := cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]) and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert errors == [], f"Chromium says Min plan is not installable: {errors}"
    finally:
        context.close()


def test_the_service_worker_installs_and_keeps_only_the_app_shell(phone, app, url):
    page = phone.new_page()
    plan = plan_path(app, "patient")
    log_in(page, url, "patient")
    controlled(page)
    for path in ("/", "/crisis-plan", "/meetings", "/contacts"):
        page.goto(url + plan + path)
    caches = cache_contents(page)
    with app.test_request_context():
        config = pwa.shell_config()
    shell = f"min-plan-shell-{config['version']}"
    assert set(caches) <= {shell, "min-plan-state"}, f"unexpected caches: {list(caches)}"
    assert sorted(caches[shell]) == sorted(config["shell"])
    stored = [path for paths in caches.values() for path in paths]
    assert not [p for p in stored if p.startswith("/plan/")], f"personal pages were cached: {stored}"


# --- Offline, with privacy first ------------------------------------------------------------


def test_the_kept_crisis_plan_opens_offline_and_other_pages_show_the_offline_page(phone, app, url):
    page = phone.new_page()
    plan = plan_path(app, "patient")
    log_in(page, url, "patient")
    controlled(page)
    keep_crisis_plan(page, url, plan)
    assert sorted(cache_contents(page)["min-plan-kept"]) == sorted([f"{plan}/crisis-plan", f"{plan}/contacts"])

    # Only the service worker's caches count: the browser's HTTP cache may be evicted any time.
    phone.new_cdp_session(page).send("Network.clearBrowserCache")
    phone.set_offline(True)
    page.goto(f"{url}{plan}/crisis-plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kriseplan")
    expect(page.get_by_role("link", name="Ring 113")).to_be_visible()
    # Styled from the app shell, not a bare page: the stylesheet it links was precached.
    assert page.evaluate("getComputedStyle(document.querySelector('.emergency')).borderTopStyle") == "solid"
    page.goto(f"{url}{plan}/contacts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kontakter")

    page.goto(f"{url}{plan}/goals")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er uten nett")
    page.get_by_role("link", name="Kriseplanen din").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kriseplan")

    page.goto(url + "/crisis-plan")  # the home-screen shortcut
    expect(page.get_by_role("heading", level=1)).to_have_text("Kriseplan")
    assert page.url == f"{url}{plan}/crisis-plan"
    phone.set_offline(False)


def test_turning_it_off_removes_the_copy(phone, app, url):
    page = phone.new_page()
    plan = plan_path(app, "patient")
    log_in(page, url, "patient")
    controlled(page)
    keep_crisis_plan(page, url, plan)
    page.get_by_role("switch", name="Ha kriseplanen tilgjengelig uten nett på denne telefonen").uncheck()
    expect(page.get_by_role("status").filter(has_text="Fjernet fra denne telefonen.")).to_be_visible()
    assert cache_contents(page).get("min-plan-kept", []) == []

    phone.set_offline(True)
    page.goto(f"{url}{plan}/crisis-plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er uten nett")
    expect(page.get_by_text("Kriseplanen er ikke lagret på denne telefonen.")).to_be_visible()
    phone.set_offline(False)


def test_logout_clears_the_site_data_and_the_kept_copy(phone, app, url):
    page = phone.new_page()
    plan = plan_path(app, "patient")
    log_in(page, url, "patient")
    controlled(page)
    keep_crisis_plan(page, url, plan)

    with page.expect_response(lambda response: urlsplit(response.url).path == "/logout") as logout:
        page.get_by_role("button", name="Logg ut").click()
    assert logout.value.all_headers()["clear-site-data"] == '"cache", "cookies", "storage"'
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er logget ut")

    controlled(page)  # the logged-out page registers a fresh worker with a fresh, empty shell
    caches = cache_contents(page)
    assert "min-plan-kept" not in caches, caches
    assert not [p for paths in caches.values() for p in paths if p.startswith("/plan/")], caches
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.pushManager.getSubscription())") is None

    phone.set_offline(True)
    page.goto(f"{url}{plan}/crisis-plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er uten nett")
    phone.set_offline(False)


def test_another_person_logging_in_on_the_phone_removes_what_the_last_one_kept(phone, app, url):
    page = phone.new_page()
    plan = plan_path(app, "patient")
    log_in(page, url, "patient")
    controlled(page)
    keep_crisis_plan(page, url, plan)

    # And a message she wrote without network, still waiting.
    phone.set_offline(True)
    page.evaluate(
        """([owner, action]) => navigator.serviceWorker.ready.then((registration) => new Promise((resolve) => {
            const channel = new MessageChannel();
            channel.port1.onmessage = (event) => resolve(event.data);
            registration.active.postMessage({type: "keep-message", owner, action,
                fields: {idempotency_key: crypto.randomUUID(), subject: "Privat", body: "Bare for Sigrid"}},
                [channel.port2]);
        }))""",
        [page.locator("meta[name=min-plan-device-owner]").get_attribute("content"), f"{plan}/messages/new"],
    )
    assert page.evaluate(WAITING_IN_INDEXEDDB) == ["Bare for Sigrid"]

    phone.clear_cookies()  # Sigrid's session ended without a logout (the phone was put down)
    phone.set_offline(False)
    # Background Sync now tries to send it, finds nobody logged in, and leaves it waiting.
    # Let that finish first: its answer must not cross the next login (cookie sessions).
    page.wait_for_timeout(1000)
    assert page.evaluate(WAITING_IN_INDEXEDDB) == ["Bare for Sigrid"]
    log_in(page, url, "guardian1")
    poll(page, "caches.open('min-plan-kept').then(c => c.keys()).then(keys => keys.length)", until=lambda n: n == 0)
    poll(page, WAITING_IN_INDEXEDDB, until=lambda bodies: bodies == [])
    status = page.evaluate(
        """navigator.serviceWorker.ready.then((registration) => new Promise((resolve) => {
            const channel = new MessageChannel();
            channel.port1.onmessage = (event) => resolve(event.data.state);
            registration.active.postMessage({type: "status"}, [channel.port2]);
        }))"""
    )
    assert status["kept"] == []


def test_a_kept_copy_opens_when_the_session_has_ended(phone, app, url):
    """In a crisis the crisis plan opens, even if the 30-minute session ran out."""
    page = phone.new_page()
    plan = plan_path(app, "patient")
    log_in(page, url, "patient")
    controlled(page)
    keep_crisis_plan(page, url, plan)
    phone.clear_cookies()
    page.goto(f"{url}{plan}/crisis-plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kriseplan")
    page.goto(f"{url}{plan}/goals")
    assert urlsplit(page.url).path == "/login", "everything else still asks for login"


def test_a_new_version_is_announced_and_taken_on_request(phone, url, monkeypatch):
    page = phone.new_page()
    page.goto(url + "/login")
    controlled(page)
    old = [name for name in cache_contents(page) if name.startswith("min-plan-shell-")]

    source = pwa.worker_source
    monkeypatch.setattr(pwa, "worker_source", lambda: source() + "\n// a new version\n")
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")

    button = page.get_by_role("button", name="Ny versjon – oppdater")
    expect(button).to_be_visible(timeout=10_000)
    with page.expect_navigation():
        button.click()
    controlled(page)
    shells = [name for name in cache_contents(page) if name.startswith("min-plan-shell-")]
    assert len(shells) == 1 and shells != old, "the old version's cache is removed on activate"
    expect(page.get_by_role("button", name="Ny versjon – oppdater")).to_be_hidden()


# --- Push ------------------------------------------------------------------------------------


def turn_push_on(context, url: str, subscription_info: dict) -> Page:
    """The patient presses "Slå på varsler" in a browser whose push subscription is ``subscription_info``."""
    context.grant_permissions(["notifications"], origin=url)
    context.add_init_script(STUB_PUSH_MANAGER % json.dumps(subscription_info))
    page = context.new_page()
    log_in(page, url, "patient")
    controlled(page)
    page.goto(url + "/settings/notifications")
    page.get_by_role("button", name="Slå på varsler på denne enheten").click()
    return page


def test_a_push_message_becomes_a_neutral_notification(browser, app, url):
    from patient_app.notify import enqueue
    from patient_app.notify.worker import PushWorker
    from tests.notify.fake_push import FakePushService

    context = browser.new_context(**PHONE)
    try:
        with FakePushService() as push_service:
            device = push_service.subscribe()
            page = turn_push_on(context, url, device.info)
            expect(page.get_by_role("status").filter(has_text="Varsler er slått på for denne enheten.")).to_be_visible()
            expect(page.get_by_text("(denne enheten)")).to_be_visible()

            with app.app_context():
                plan = db.session.scalar(select(Plan).where(Plan.owner_id == person_id(app, "patient")))
                enqueue(db.session, plan_id=plan.id, kind=NotificationKind.MESSAGE,
                        url=f"/plan/{plan.public_id}/messages", actor_id=person_id(app, "coordinator"))
                db.session.commit()
            assert PushWorker(app).drain().sent == 1
            [payload] = push_service.payloads(device)  # decrypted by the fake push service

            cdp = context.new_cdp_session(page)
            registrations = []
            cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
            cdp.send("ServiceWorker.enable")
            poll(page, "1", until=lambda _: registrations)
            cdp.send("ServiceWorker.deliverPushMessage", {
                "origin": url + "/",
                "registrationId": registrations[0]["registrationId"],
                "data": json.dumps(payload),
            })
            shown = poll(
                page,
                """navigator.serviceWorker.ready.then((r) => r.getNotifications())
                     .then((list) => list.map((n) => ({title: n.title, body: n.body, url: n.data.url, tag: n.tag})))""",
                until=lambda notes: notes,
            )
            assert shown == [{"title": "Min plan", "body": "Du har en ny melding i Min plan.",
                              "url": payload["url"], "tag": payload["tag"]}]
    finally:
        context.close()
        with app.app_context():
            db.session.execute(delete(OutboxItem))
            db.session.execute(delete(PushSubscription))
            db.session.commit()


def test_a_browser_whose_push_service_is_refused_is_told_why(browser, app, url):
    """Not "check the network": trying again would not help, and the page says what the server said."""
    from tests.notify.fake_push import FakeSubscription

    unknown = FakeSubscription(endpoint="https://push.unknown-browser.example/send/abc")
    context = browser.new_context(**PHONE)
    try:
        page = turn_push_on(context, url, unknown.info)
        expect(page.get_by_role("status")).to_have_text(
            "Varsler kan ikke slås på for denne nettleseren: adressen den ga, er ikke en kjent varseltjeneste.")
        with app.app_context():
            assert db.session.scalar(select(PushSubscription.id)) is None
    finally:
        context.close()


def test_the_install_button_appears_when_chromium_offers_to_install(playwright_instance, url, tmp_path):
    """Chromium fires beforeinstallprompt for an installable site; the settings page then offers the button."""
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS, **PHONE
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        log_in(page, url, "patient")
        controlled(page)
        page.goto(url + "/settings")
        button = page.get_by_role("button", name="Legg til på Hjem-skjermen")
        expect(button).to_be_visible(timeout=10_000)  # Chromium's own beforeinstallprompt
        # Chromium's real dialog never answers in headless mode; answer "accepted" in its place.
        page.evaluate("window.dispatchEvent(Object.assign(new Event('beforeinstallprompt'), "
                      "{prompt() {}, userChoice: Promise.resolve({outcome: 'accepted'})}))")
        button.click()
        expect(page.get_by_text("Min plan er lagt til på denne enheten.")).to_be_visible()
        expect(button).to_be_hidden()
    finally:
        context.close()


def test_iphone_users_get_the_steps(browser, url):
    iphone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")
    context = browser.new_context(**PHONE, user_agent=iphone)
    try:
        page = context.new_page()
        log_in(page, url, "patient")
        page.goto(url + "/settings")
        steps = page.locator("[data-install-ios]")
        expect(steps).to_be_visible()
        expect(steps.get_by_role("listitem")).to_have_count(3)
        expect(steps).to_contain_text("Legg til på Hjem-skjerm")
    finally:
        context.close()


# --- Nothing typed is lost --------------------------------------------------------------------


@pytest.fixture
def written(app):
    """Texts this test wrote as messages; their threads are removed afterwards."""
    from patient_app.models import Message, MessageThread, ThreadReadMark

    texts: list[str] = []
    yield texts
    with app.app_context():
        threads = set(db.session.scalars(select(Message.thread_id).where(Message.body.in_(texts))))
        db.session.execute(delete(Message).where(Message.thread_id.in_(threads)))
        db.session.execute(delete(ThreadReadMark).where(ThreadReadMark.thread_id.in_(threads)))
        db.session.execute(delete(MessageThread).where(MessageThread.id.in_(threads)))
        db.session.commit()


def stored(app, text: str) -> int:
    from patient_app.models import Message

    with app.app_context():
        return len(db.session.scalars(select(Message.id).where(Message.body == text)).all())


WAITING_IN_INDEXEDDB = """new Promise((resolve) => {
    const opening = indexedDB.open("min-plan", 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore("waiting-messages", { keyPath: "key" });
    opening.onsuccess = () => {
        const request = opening.result.transaction("waiting-messages").objectStore("waiting-messages").getAll();
        request.onsuccess = () => { resolve(request.result.map((item) => item.fields.body)); opening.result.close(); };
    };
})"""


def test_a_message_written_offline_waits_and_is_sent_once_when_the_network_returns(phone, app, url, written):
    text = f"Skrevet på toget uten dekning {time.time_ns()}"
    written.append(text)
    page = phone.new_page()
    plan = plan_path(app, "patient")
    log_in(page, url, "patient")
    controlled(page)
    page.goto(f"{url}{plan}/messages/new")

    phone.set_offline(True)
    page.get_by_label("Hva gjelder det?").fill("Neste møte")
    page.get_by_role("textbox", name="Melding", exact=True).fill(text)
    page.get_by_role("button", name="Send melding").click()
    waiting = page.get_by_role("region", name="Venter på nett")
    expect(waiting).to_be_visible()
    expect(waiting.get_by_role("status")).to_have_text(re.compile("Meldingen venter på nett"))
    expect(waiting).to_contain_text(text)
    expect(page.get_by_role("textbox", name="Melding", exact=True)).to_have_value("")
    assert page.evaluate(WAITING_IN_INDEXEDDB) == [text]
    assert stored(app, text) == 0

    with page.expect_navigation():  # sent on "online", then the page reloads
        phone.set_offline(False)
    expect(page.get_by_text("Meldingen er sendt.", exact=False)).to_be_visible()
    assert stored(app, text) == 1
    assert page.evaluate(WAITING_IN_INDEXEDDB) == []

    page.reload()  # another chance to send: nothing is sent twice
    controlled(page)
    assert stored(app, text) == 1


def test_a_post_that_fails_on_the_way_is_kept_by_the_service_worker(phone, app, url, written):
    """The phone thinks it is online, but the post never arrives: the worker keeps it."""
    text = f"Sendt i en tunnel {time.time_ns()}"
    written.append(text)
    page = phone.new_page()
    plan = plan_path(app, "patient")
    log_in(page, url, "patient")
    controlled(page)
    page.goto(f"{url}{plan}/messages/new")
    page.get_by_label("Hva gjelder det?").fill("Tunnel")
    page.get_by_role("textbox", name="Melding", exact=True).fill(text)

    phone.set_offline(True)
    # form.submit() skips outbox.js (as when the browser believes it is online): the worker catches it.
    page.evaluate("document.querySelector('form.message-form').submit()")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er uten nett")
    waiting = page.get_by_role("region", name="Venter på nett")
    expect(waiting).to_contain_text(text)

    phone.set_offline(False)
    expect(waiting.get_by_role("status")).to_have_text("Meldingen som ventet, er sendt.")
    assert stored(app, text) == 1

    # The same form again (a retry after a lost answer, say) stores nothing new: same idempotency key.
    page.goto(f"{url}{plan}/messages/new")
    controlled(page)
    assert stored(app, text) == 1
