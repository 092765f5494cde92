"""Settings, "Varsler": devices, categories within a relative's grant, and what the server accepts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from patient_app import create_app
from patient_app.database import Base
from patient_app.demo.seed import seed_demo
from patient_app.extensions import db
from patient_app.models import NotificationCategory, NotificationPreference, PushSubscription
from patient_app.views.notifications import device_label, endpoint_hash
from tests.conftest import TEST_CONFIG, _database_url
from tests.notify.fake_push import FakeSubscription
from tests.views.conftest import Browser, person_by_key

CHROME_ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"


@pytest.fixture
def own(tmp_path_factory):
    """A browser on a database of its own: these tests write."""
    url, drop = _database_url(tmp_path_factory)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        seed_demo()
    yield Browser(app, app.test_client())
    with app.app_context():
        db.engine.dispose()
    drop()


def fake(endpoint: str = "https://fcm.googleapis.com/fcm/send/abc123") -> FakeSubscription:
    return FakeSubscription(endpoint=endpoint)


def add_device(browser: Browser, subscription: FakeSubscription, **extra):
    page = browser.get("/settings/notifications")
    box = page.select_one("[data-push]")
    return browser.client.post(
        box["data-subscribe-url"],
        json={"subscription": subscription.info, **extra},
        headers={"X-CSRFToken": box["data-csrf"], "User-Agent": CHROME_ANDROID},
    )


def devices(browser: Browser) -> list[PushSubscription]:
    with browser.app.app_context():
        return list(db.session.scalars(select(PushSubscription).order_by(PushSubscription.id)))


def test_the_page_explains_and_offers_all_four_categories_to_the_patient(browser):
    browser.login_as("patient")
    page = browser.get("/settings/notifications")
    assert page.h1.get_text(strip=True) == "Varsler"
    labels = [label.get_text(strip=True) for label in page.select("form label")]
    assert labels == ["Nye meldinger", "Nye referater", "Møter", "Påminnelser om møter"]
    assert all(box.has_attr("checked") for box in page.select("input[name=category]")), "on until turned off"
    box = page.select_one("[data-push]")
    assert box["data-public-key"] == browser.app.config["VAPID_PUBLIC_KEY"]
    assert len(box["data-public-key"]) == 87  # 65 bytes, base64url


def test_a_relative_is_offered_only_what_the_grant_covers(browser):
    browser.login_as("relative")
    page = browser.get("/settings/notifications")
    values = [box["value"] for box in page.select("input[name=category]")]
    assert values == ["minutes", "calendar", "reminders"]
    assert "Du får bare varsel om det du har fått tilgang til å se." in page.get_text()


def test_choices_are_saved_and_a_relative_cannot_choose_outside_the_grant(own):
    own.login_as("relative")
    page = own.get("/settings/notifications")
    token = page.select_one("form[action='/settings/notifications'] input[name=csrf_token]")["value"]
    response = own.client.post("/settings/notifications",
                               data={"csrf_token": token, "category": ["reminders", "messages"]})
    assert response.status_code == 302
    with own.app.app_context():
        anders = person_by_key(own.app, "relative")
        rows = {row.category: row.enabled for row in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.person_id == anders.id))}
    assert rows == {
        NotificationCategory.MINUTES: False,
        NotificationCategory.CALENDAR: False,
        NotificationCategory.REMINDERS: True,
    }
    page = own.get("/settings/notifications")
    assert [box["value"] for box in page.select("input[name=category][checked]")] == ["reminders"]
    assert "Valgene dine er lagret." in page.get_text()


def test_a_device_is_added_listed_and_removed(own):
    own.login_as("patient")
    phone = fake()
    response = add_device(own, phone)
    assert response.status_code == 201
    assert response.get_json()["endpointHash"] == endpoint_hash(phone.endpoint)
    [device] = devices(own)
    assert (device.endpoint, device.p256dh, device.auth) == (phone.endpoint, phone.p256dh, phone.auth)
    assert device.device_label == "Chrome på Android"

    page = own.get("/settings/notifications")
    [listed] = page.select("[data-device-list] li")
    assert listed["data-endpoint-hash"] == endpoint_hash(phone.endpoint)
    assert phone.endpoint not in str(page), "the endpoint is a capability; the page never shows it"
    form = listed.select_one("form")
    token = form.select_one("input[name=csrf_token]")["value"]
    assert own.client.post(form["action"], data={"csrf_token": token}).status_code == 302
    assert devices(own) == []


def test_several_devices_per_person_and_the_same_device_twice_is_one(own):
    own.login_as("patient")
    add_device(own, fake("https://fcm.googleapis.com/fcm/send/one"))
    add_device(own, fake("https://updates.push.services.mozilla.com/wpush/v2/two"))
    again = fake("https://fcm.googleapis.com/fcm/send/one")
    add_device(own, again)
    assert [d.endpoint.rsplit("/", 1)[1] for d in devices(own)] == ["one", "two"]
    assert devices(own)[0].p256dh == again.p256dh, "renewed keys replace the old ones"


def test_a_device_someone_else_subscribes_moves_to_them(own):
    phone = fake()
    own.login_as("patient")
    add_device(own, phone)
    anders = own.login_as("relative")
    add_device(own, phone)
    [device] = devices(own)
    assert device.person_id == anders.id


def test_a_renewed_subscription_replaces_the_old_one(own):
    own.login_as("patient")
    old, new = fake("https://fcm.googleapis.com/fcm/send/old"), fake("https://fcm.googleapis.com/fcm/send/new")
    add_device(own, old)
    add_device(own, new, replaces=old.endpoint)
    assert [d.endpoint for d in devices(own)] == [new.endpoint]


def test_this_device_can_be_turned_off(own):
    own.login_as("patient")
    phone = fake()
    add_device(own, phone)
    box = own.get("/settings/notifications").select_one("[data-push]")
    response = own.client.post(box["data-unsubscribe-url"], json={"endpoint": phone.endpoint},
                               headers={"X-CSRFToken": box["data-csrf"]})
    assert response.status_code == 204
    assert devices(own) == []


def test_one_cannot_remove_someone_elses_device(own):
    own.login_as("patient")
    add_device(own, fake())
    [device] = devices(own)
    own.login_as("relative")
    page = own.get("/settings/notifications")
    token = page.select_one("input[name=csrf_token]")["value"]
    own.client.post(f"/settings/notifications/devices/{device.public_id}/remove", data={"csrf_token": token})
    box = page.select_one("[data-push]")
    own.client.post(box["data-unsubscribe-url"], json={"endpoint": device.endpoint},
                    headers={"X-CSRFToken": box["data-csrf"]})
    assert len(devices(own)) == 1


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://evil.example/push/abc",  # not a push service: the worker would post there (SSRF)
        "http://fcm.googleapis.com/fcm/send/abc",  # not HTTPS
        "https://fcm.googleapis.com.evil.example/x",
        "https://user:pass@fcm.googleapis.com/x",
        "http://10.0.0.5/internal",
        "javascript:alert(1)",
    ],
)
def test_only_known_push_services_are_accepted(own, endpoint):
    own.login_as("patient")
    response = add_device(own, fake(endpoint))
    assert response.status_code == 400
    assert devices(own) == []


# Each has passed some parser's check, or made two parsers disagree about the host.
ENDPOINT_TRICKS = [
    "https://localhost\\.fcm.googleapis.com/x",  # urlsplit: FCM; urllib3: localhost
    "https://attacker.example\\.fcm.googleapis.com/x",
    "https://fcm.googleapis.com\\@evil.example/x",
    "https://evil.example@fcm.googleapis.com/x",
    "https://fcm.googleapis.com@evil.example/x",
    "https://fcm.googleapis.com:@evil.example/x",
    "https://evil.example#.fcm.googleapis.com/x",
    "https://evil.example#@fcm.googleapis.com/x",
    "https://fcm.googleapis.com/fcm/send/x#fragment",
    "https://evil.example%2F.fcm.googleapis.com/x",
    "https://fcm.googleapis.com%2F@evil.example/x",
    "https://evil.example%2f%2e.fcm.googleapis.com/x",
    "https://fcm%2egoogleapis%2ecom/x",
    "https://fcm\uff0egoogleapis\uff0ecom/x",  # full-width full stops
    "https://\uff46\uff43\uff4d.googleapis.com/x",  # full-width letters
    "https://fcm.googleapis.com\uff0f@evil.example/x",  # full-width solidus
    "https://evil.example\u3002fcm.googleapis.com/x",  # ideographic full stop
    "https://fcm.googleapis.c\u03bfm/x",  # Greek omicron
    "https://xn--fcm-googleapis-com-xyz.example/x",
    "https://[::1]/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://[fe80::1%25eth0]/x",
    "https://[::1].fcm.googleapis.com/x",
    "https://[",
    "https://[fcm.googleapis.com/x",
    "https://2130706433/x",  # 127.0.0.1 in decimal
    "https://0177.0.0.1/x",  # in octal
    "https://0x7f.0.0.1/x",
    "https://127.1/x",
    "https://017700000001/x",
    "https://169.254.169.254/latest/meta-data",
    "https://fcm.googleapis.com:5450/x",
    "https://fcm.googleapis.com:4430/x",
    "https://fcm.googleapis.com:0/x",
    "https://fcm.googleapis.com:65536/x",
    "https://fcm.googleapis.com:/x",
    "https://FCM.googleapis.com/x",
    "HTTPS://fcm.googleapis.com/x",
    "https:/fcm.googleapis.com/x",
    "https:fcm.googleapis.com/x",
    "//fcm.googleapis.com/x",
    " https://fcm.googleapis.com/x",
    "https://fcm.googleapis.com/x\r\nHost: evil.example",
    "https://fcm.googleapis.com/x\x00",
    "https://fcm.googleapis.com\t/x",
    "https://fcm.googleapis.com./x",
    "https://.fcm.googleapis.com/x",
    "https://fcm.googleapis.com",
    "https://fcm.googleapis.com/x y",
    "https://fcm.googleapis.com/x%zz",
]


@pytest.mark.parametrize("endpoint", ENDPOINT_TRICKS)
def test_endpoint_tricks_are_refused_with_a_clear_message(own, endpoint):
    own.login_as("patient")
    response = add_device(own, fake(endpoint))
    assert response.status_code == 400
    assert response.json["error"] == ("Varsler kan ikke slås på for denne nettleseren: "
                                      "adressen den ga, er ikke en kjent varseltjeneste.")
    assert devices(own) == []


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/dVx0Qm9s:APA91bFq-Ab_cd",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABm-Xy_z",
    "https://web.push.apple.com/QGx7-yZ_ab",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAABn%2bX%3d",
])
def test_the_endpoints_browsers_give_are_accepted_and_kept_as_given(own, endpoint):
    own.login_as("patient")
    assert add_device(own, fake(endpoint)).status_code == 201
    assert [device.endpoint for device in devices(own)] == [endpoint]


def test_the_refusal_is_in_the_persons_language(own):
    own.login_as("patient")
    with own.client.session_transaction() as session:
        session["locale"] = "en"
    response = add_device(own, fake("https://fcm.googleapis.com:5450/x"))
    assert response.json["error"] == ("Notifications cannot be turned on for this browser: "
                                      "the address it gave is not a known push service.")


def test_local_endpoints_only_outside_production(own):
    own.login_as("patient")
    own.app.config["PUSH_ALLOW_LOCAL_ENDPOINTS"] = False
    assert add_device(own, fake("http://127.0.0.1:9999/push/x")).status_code == 400
    own.app.config["PUSH_ALLOW_LOCAL_ENDPOINTS"] = True
    assert add_device(own, fake("http://127.0.0.1:9999/push/x")).status_code == 201


@pytest.mark.parametrize(
    "keys",
    [
        {"p256dh": "too-short", "auth": "AAAAAAAAAAAAAAAAAAAAAA"},
        # The right length and form, but not a point on the P-256 curve: nothing could be encrypted to it.
        {"p256dh": "BAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE",
         "auth": "AAAAAAAAAAAAAAAAAAAAAA"},
        {"p256dh": None, "auth": None},
        {},
    ],
)
def test_malformed_keys_are_refused(own, keys):
    own.login_as("patient")
    box = own.get("/settings/notifications").select_one("[data-push]")
    response = own.client.post(box["data-subscribe-url"],
                               json={"subscription": {"endpoint": "https://fcm.googleapis.com/x", "keys": keys}},
                               headers={"X-CSRFToken": box["data-csrf"]})
    assert response.status_code == 400
    assert response.json["error"] == ("Varsler kan ikke slås på for denne nettleseren: den sendte et "
                                      "ufullstendig eller ugyldig abonnement.")
    assert devices(own) == []


def test_adding_a_device_needs_the_csrf_token(own):
    own.login_as("patient")
    response = own.client.post("/settings/notifications/devices", json={"subscription": fake().info})
    assert response.status_code == 400
    assert devices(own) == []


def test_a_person_has_at_most_ten_devices(own):
    own.login_as("patient")
    for number in range(12):
        add_device(own, fake(f"https://fcm.googleapis.com/fcm/send/{number}"))
    assert [d.endpoint.rsplit("/", 1)[1] for d in devices(own)] == [str(n) for n in range(2, 12)]


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (CHROME_ANDROID, "Chrome på Android"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.4 Mobile/15E148 Safari/604.1", "Safari på iPhone"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0", "Firefox på Windows"),
        ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0",
         "Edge på Windows"),
        ("", "Ukjent nettleser"),
    ],
)
def test_device_labels(app, agent, label):
    with app.test_request_context():
        assert device_label(agent) == label
