"""Odd input that once ended in a 500 (issue 14, section 5): each is refused with a clear answer, or served."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from patient_app.extensions import db
from patient_app.models import GrantEvent, MessageThread, Person, PushSubscription
from tests.views.conftest import plan_of
from tests.views.test_sharing import fill_grant_form


def push_box(browser):
    return browser.get("/settings/notifications").select_one("[data-push]")


@pytest.mark.parametrize("url_key", ["data-subscribe-url", "data-unsubscribe-url"])
def test_deeply_nested_json_to_the_device_endpoints_is_a_400(fresh_browser, url_key):
    fresh_browser.login_as("patient")
    box = push_box(fresh_browser)
    depth = 100_000  # fits under MAX_CONTENT_LENGTH; Python's json gives up far sooner
    response = fresh_browser.client.post(
        box[url_key], data="[" * depth + "]" * depth,
        headers={"X-CSRFToken": box["data-csrf"], "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    with fresh_browser.app.app_context():
        assert db.session.scalar(select(func.count(PushSubscription.id))) == 0


@pytest.mark.parametrize("body", ["[1]", '"text"', "null", "{", "[" * 10])
def test_json_that_is_not_an_object_is_a_400(fresh_browser, body):
    fresh_browser.login_as("patient")
    box = push_box(fresh_browser)
    for url_key in ("data-subscribe-url", "data-unsubscribe-url"):
        response = fresh_browser.client.post(box[url_key], data=body, headers={
            "X-CSRFToken": box["data-csrf"], "Content-Type": "application/json"})
        assert response.status_code == 400


@pytest.mark.parametrize("opened", ["nan", "NaN", "-inf", "inf", "1e999", "-1e999", "0x10", ""])
@pytest.mark.parametrize("htmx", [False, True])
def test_a_thread_opened_at_an_odd_time_is_still_shown(fresh_browser, opened, htmx):
    plan = plan_of(fresh_browser.app, "patient")
    with fresh_browser.app.app_context():
        thread = db.session.scalar(select(MessageThread.public_id).where(MessageThread.plan_id == plan.id).limit(1))
    fresh_browser.login_as("patient")
    response = fresh_browser.client.get(f"/plan/{plan.public_id}/messages/{thread}?opened={opened}",
                                        headers={"HX-Request": "true"} if htmx else {})
    assert response.status_code in (200, 286)  # 286: htmx, stop polling


@pytest.mark.parametrize("number", ["1234\x005678901", "12345678901\x00", "\x1b[31m12345678901"])
def test_a_relatives_number_with_control_characters_is_refused_with_a_clear_message(fresh_browser, number):
    """On PostgreSQL a NUL could not even be stored: it ended in a bare "Internal Server Error".
    (The relative's name is no longer typed: it comes from the population register.)"""
    plan = plan_of(fresh_browser.app, "patient")
    fresh_browser.login_as("patient")
    response = fill_grant_form(fresh_browser, plan, national_id=number)
    assert response.status_code == 400
    error = fresh_browser.parse(response).select_one("#national_id-error")
    assert error is not None and error.get_text(strip=True)
    with fresh_browser.app.app_context():
        assert db.session.scalar(select(func.count(GrantEvent.id))) == 0


def test_the_error_page_does_not_depend_on_the_failed_transaction(tmp_path_factory):
    """A write that failed in the database (a NUL on PostgreSQL, here a duplicate) leaves the transaction
    to be rolled back; the error page, which asks who is logged in, used to fail on it too and the person
    got a bare "Internal Server Error" instead of the page in their language."""
    from tests.conftest import app_on_new_database
    from tests.views.conftest import Browser

    with app_on_new_database(tmp_path_factory) as app:
        app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production

        def failing_write():
            taken = db.session.scalar(select(Person.pid_hash).limit(1))
            db.session.add(Person(name="Dobbel", pid_hash=taken))
            db.session.flush()

        failing_write.access_rule = "public"
        app.add_url_rule("/test-failing-write", view_func=failing_write)
        browser = Browser(app, app.test_client())
        browser.login_as("patient")
        response = browser.client.get("/test-failing-write")
        assert response.status_code == 500
        page = browser.parse(response)
        assert page.title.get_text(strip=True) == "Beklager, noe gikk galt hos oss – Min plan"


def test_an_endpoint_with_a_nul_is_refused_everywhere_it_is_taken(fresh_browser):
    """PostgreSQL cannot even compare text with a NUL in it: it was a 500 there."""
    fresh_browser.login_as("patient")
    box = push_box(fresh_browser)
    headers = {"X-CSRFToken": box["data-csrf"]}
    removed = fresh_browser.client.post(box["data-unsubscribe-url"], json={"endpoint": "https://fcm.googleapis.com/x\x00"},
                                        headers=headers)
    assert removed.status_code == 400
    assert removed.json["error"] == "Fant ikke denne enheten blant enhetene dine."
    from tests.notify.fake_push import FakeSubscription

    subscription = FakeSubscription(endpoint="https://fcm.googleapis.com/fcm/send/nul-test").info
    added = fresh_browser.client.post(box["data-subscribe-url"], headers=headers,
                                      json={"subscription": subscription, "replaces": "https://fcm.googleapis.com/\x00"})
    assert added.status_code == 201, "the new device is added; the odd old one is simply not found"


def test_a_video_link_stored_with_a_line_break_before_the_form_checked_it_does_not_break_the_calendar(fresh_browser):
    from patient_app.models import Meeting

    plan = plan_of(fresh_browser.app, "patient")
    with fresh_browser.app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.plan_id == plan.id).limit(1))
        meeting.video_url = "https://video.example/mote\r\nX-Injected: 1"
        db.session.commit()
        meeting_id = meeting.public_id
    fresh_browser.login_as("patient")
    response = fresh_browser.client.get(f"/plan/{plan.public_id}/meetings/{meeting_id}/calendar.ics")
    assert response.status_code == 200
    assert not [line for line in response.get_data(as_text=True).splitlines() if line.startswith("X-Injected")]
