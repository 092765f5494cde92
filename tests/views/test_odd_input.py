"""Odd input that once ended in a 500 (issue 14, section 5): each is refused with a clear answer, or served."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from patient_app.extensions import db
from patient_app.models import MessageThread, PushSubscription
from tests.views.conftest import plan_of


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
