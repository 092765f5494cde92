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
