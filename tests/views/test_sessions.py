import time
from datetime import timedelta


def test_session_ends_after_idle_timeout(app, browser, sigrid_plan):
    browser.login_as("patient")
    url = f"/plan/{sigrid_plan.public_id}/"
    assert browser.client.get(url).status_code == 200
    original = app.permanent_session_lifetime
    app.permanent_session_lifetime = timedelta(seconds=1)
    try:
        time.sleep(2.1)
        response = browser.client.get(url)
    finally:
        app.permanent_session_lifetime = original
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_session_ends_after_absolute_lifetime_even_when_active(app, browser, sigrid_plan):
    browser.login_as("patient")
    with browser.client.session_transaction() as session:
        session["signed_in_at"] = time.time() - app.config["ABSOLUTE_SESSION_LIFETIME"].total_seconds() - 1
    response = browser.client.get(f"/plan/{sigrid_plan.public_id}/")
    assert response.status_code == 302


def test_idle_timeout_is_thirty_minutes(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_background_polls_do_not_keep_the_session_alive(browser, sigrid_plan):
    browser.login_as("patient")
    url = f"/plan/{sigrid_plan.public_id}/messages"
    assert "Set-Cookie" in browser.client.get(url).headers, "a real request renews the idle timeout"
    poll = browser.client.get(url, headers={"HX-Request": "true", "X-Background-Poll": "1"})
    assert poll.status_code == 200
    assert "Set-Cookie" not in poll.headers, "a poll must not renew the idle timeout"


def test_an_htmx_request_after_the_session_ended_redirects_the_whole_page(client, sigrid_plan):
    response = client.get(f"/plan/{sigrid_plan.public_id}/messages", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


def test_views_are_logged_once_per_part_within_the_window(fresh_browser):
    from sqlalchemy import func, select

    from patient_app.extensions import db
    from patient_app.models import AccessLogEntry
    from tests.views.conftest import plan_of

    plan = plan_of(fresh_browser.app, "patient")
    fresh_browser.login_as("relative")
    for _ in range(3):
        fresh_browser.get(f"/plan/{plan.public_id}/meetings")
    with fresh_browser.app.app_context():
        assert db.session.scalar(select(func.count(AccessLogEntry.id))) == 1


def test_background_files_never_set_the_session_cookie(browser):
    browser.login_as("patient")
    for url in ("/static/css/app.css", "/service-worker.js", "/manifest.webmanifest", "/offline"):
        response = browser.client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, f"{url} must not overwrite the session cookie"
