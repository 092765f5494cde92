import time
import uuid
from datetime import timedelta

from bs4 import BeautifulSoup

from patient_app.models._base import utcnow
from tests.views.conftest import plan_of


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


# --- Server-side sessions (patient_app/login_sessions.py) ---------------------------

def session_cookie(browser) -> str:
    return browser.client.get_cookie(browser.app.config["SESSION_COOKIE_NAME"]).value


def with_cookie(app, value: str):
    """A second client holding a copy of a cookie, as someone who stole it would."""
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return client


def login_session_rows(app, person):
    from sqlalchemy import select

    from patient_app.extensions import db
    from patient_app.models import LoginSession

    with app.app_context():
        return db.session.scalars(
            select(LoginSession).where(LoginSession.person_id == person.id).order_by(LoginSession.id)
        ).all()


def current_row(browser):
    from patient_app.login_sessions import SESSION_KEY

    with browser.client.session_transaction() as session:
        public_id = session[SESSION_KEY]
    return next(row for row in login_session_rows(browser.app, row_owner(browser)) if str(row.public_id) == public_id)


def row_owner(browser):
    with browser.client.session_transaction() as session:
        public_id = session["_user_id"]
    from sqlalchemy import select

    from patient_app.extensions import db
    from patient_app.models import Person

    with browser.app.app_context():
        return db.session.scalar(select(Person).where(Person.public_id == uuid.UUID(public_id)))


def set_row_times(app, row, **times) -> None:
    from sqlalchemy import update

    from patient_app.extensions import db
    from patient_app.models import LoginSession

    with app.app_context():
        db.session.execute(update(LoginSession).where(LoginSession.id == row.id).values(**times))
        db.session.commit()


def two_devices(app, key="patient"):
    from tests.views.conftest import Browser

    phone, laptop = Browser(app, app.test_client()), Browser(app, app.test_client())
    phone.login_as(key)
    laptop.login_as(key)
    return phone, laptop


def test_settings_list_the_active_sessions_and_mark_this_device(fresh_app):
    phone, _laptop = two_devices(fresh_app)
    page = phone.get("/settings")
    section = page.select_one("section[aria-labelledby=login-sessions-heading]")
    assert section.h2.get_text(strip=True) == "Innlogginger"
    items = section.select("[data-login-session]")
    assert len(items) == 2
    assert [bool(item.select_one("[data-this-session]")) for item in items].count(True) == 1
    assert all("Logget inn" in item.get_text() and "Sist aktiv" in item.get_text() for item in items)
    buttons = [button.get_text(strip=True) for button in section.select("form button")]
    assert buttons == ["Logg ut på alle andre enheter", "Logg ut overalt"]


def test_logging_out_on_other_devices_takes_effect_at_their_next_request(fresh_app):
    phone, laptop = two_devices(fresh_app)
    plan = f"/plan/{plan_of(fresh_app, 'patient').public_id}/"
    laptop.get(plan)
    response = phone.submit(phone.get("/settings"), "form[action='/sessions/end-others']")
    assert response.status_code == 302
    confirmation = phone.get(response.headers["Location"]).select_one(".confirmation").get_text(strip=True)
    assert confirmation == "Du er logget ut på 1 annen enhet."
    assert laptop.client.get(plan).headers["Location"].startswith("/login"), "the other device is signed out"
    phone.get(plan)  # this one carries on
    assert len(phone.get("/settings").select("[data-login-session]")) == 1


def test_logging_out_everywhere_ends_this_session_too(fresh_app):
    phone, laptop = two_devices(fresh_app)
    plan = f"/plan/{plan_of(fresh_app, 'patient').public_id}/"
    response = phone.submit(phone.get("/settings"), "form[action='/logout-everywhere']")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    for device in (phone, laptop):
        assert device.client.get(plan).headers["Location"].startswith("/login")
    assert all(row.ended_at is not None for row in login_session_rows(fresh_app, row_owner(laptop)))


def test_logout_ends_the_row_and_a_copied_cookie_no_longer_works(fresh_browser):
    fresh_browser.login_as("patient")
    plan = f"/plan/{plan_of(fresh_browser.app, 'patient').public_id}/"
    page = fresh_browser.get(plan)
    copied = session_cookie(fresh_browser)
    assert with_cookie(fresh_browser.app, copied).get(plan).status_code == 200
    owner, row = row_owner(fresh_browser), current_row(fresh_browser)
    fresh_browser.submit(page, "form.site-header__logout")
    assert with_cookie(fresh_browser.app, copied).get(plan).headers["Location"].startswith("/login")
    assert next(r for r in login_session_rows(fresh_browser.app, owner) if r.id == row.id).ended_at is not None


def test_idle_limit_ends_the_row_on_the_server_too(fresh_browser):
    fresh_browser.login_as("patient")
    plan = f"/plan/{plan_of(fresh_browser.app, 'patient').public_id}/"
    owner, row = row_owner(fresh_browser), current_row(fresh_browser)
    idle = fresh_browser.app.permanent_session_lifetime
    set_row_times(fresh_browser.app, row, last_seen_at=utcnow() - idle - timedelta(minutes=2))
    # The cookie itself is still fresh: only the server knows the person went idle.
    assert fresh_browser.client.get(plan).headers["Location"].startswith("/login")
    assert next(r for r in login_session_rows(fresh_browser.app, owner) if r.id == row.id).ended_at is not None


def test_absolute_limit_ends_the_row_however_active(fresh_browser):
    fresh_browser.login_as("patient")
    plan = f"/plan/{plan_of(fresh_browser.app, 'patient').public_id}/"
    owner, row = row_owner(fresh_browser), current_row(fresh_browser)
    absolute = fresh_browser.app.config["ABSOLUTE_SESSION_LIFETIME"]
    set_row_times(fresh_browser.app, row, created_at=utcnow() - absolute - timedelta(seconds=1), last_seen_at=utcnow())
    assert fresh_browser.client.get(plan).headers["Location"].startswith("/login")
    assert next(r for r in login_session_rows(fresh_browser.app, owner) if r.id == row.id).ended_at is not None


def test_last_seen_is_written_at_most_once_a_minute_and_never_by_polls(fresh_browser):
    fresh_browser.login_as("patient")
    plan_id = plan_of(fresh_browser.app, "patient").public_id
    row = current_row(fresh_browser)
    long_ago = utcnow() - timedelta(minutes=5)
    set_row_times(fresh_browser.app, row, last_seen_at=long_ago)
    poll = {"HX-Request": "true", "X-Background-Poll": "1"}
    assert fresh_browser.client.get(f"/plan/{plan_id}/messages", headers=poll).status_code == 200
    assert current_row(fresh_browser).last_seen_at == long_ago, "a poll is not the person being active"
    fresh_browser.get(f"/plan/{plan_id}/")
    seen = current_row(fresh_browser).last_seen_at
    assert utcnow() - seen < timedelta(seconds=30)
    fresh_browser.get(f"/plan/{plan_id}/goals")
    assert current_row(fresh_browser).last_seen_at == seen, "within the minute: no new write"


def test_a_request_without_a_server_side_session_is_signed_out(browser, sigrid_plan):
    from patient_app.login_sessions import SESSION_KEY

    browser.login_as("patient")
    with browser.client.session_transaction() as session:
        del session[SESSION_KEY]
    assert browser.client.get(f"/plan/{sigrid_plan.public_id}/").headers["Location"].startswith("/login")


# --- A new session id when the person switches role or plan --------------------------

def test_switching_plan_gives_a_new_session_id_and_ends_the_old_one(fresh_browser):
    fresh_browser.login_as("coordinator")
    sigrid, emil = plan_of(fresh_browser.app, "patient"), plan_of(fresh_browser.app, "child")
    fresh_browser.get(f"/plan/{sigrid.public_id}/")
    before, first_row = session_cookie(fresh_browser), current_row(fresh_browser)
    fresh_browser.get(f"/plan/{sigrid.public_id}/goals")
    assert current_row(fresh_browser).id == first_row.id, "pages of the same plan keep the session"

    fresh_browser.get(f"/plan/{emil.public_id}/")
    second_row = current_row(fresh_browser)
    assert second_row.id != first_row.id and session_cookie(fresh_browser) != before
    assert second_row.created_at == first_row.created_at, "the absolute lifetime still counts from the login"
    assert with_cookie(fresh_browser.app, before).get(f"/plan/{emil.public_id}/").headers["Location"].startswith("/login")
    fresh_browser.get(f"/plan/{emil.public_id}/goals")  # the new cookie works


def test_entering_the_coordinator_workspace_gives_a_new_session_id(fresh_browser):
    fresh_browser.login_as("coordinator")
    sigrid = plan_of(fresh_browser.app, "patient")
    fresh_browser.get(f"/plan/{sigrid.public_id}/")
    reading = current_row(fresh_browser)
    fresh_browser.get("/coordinator/")
    editing = current_row(fresh_browser)
    assert editing.id != reading.id
    fresh_browser.get(f"/coordinator/plan/{sigrid.public_id}/")
    assert current_row(fresh_browser).id == editing.id, "the workspace is one role, whichever plan"


def test_fragments_and_polls_never_rotate(fresh_browser):
    fresh_browser.login_as("coordinator")
    sigrid, emil = plan_of(fresh_browser.app, "patient"), plan_of(fresh_browser.app, "child")
    fresh_browser.get(f"/plan/{sigrid.public_id}/")
    row = current_row(fresh_browser)
    poll = {"HX-Request": "true", "X-Background-Poll": "1"}
    assert fresh_browser.client.get(f"/plan/{emil.public_id}/messages", headers=poll).status_code == 200
    kept_offline = {"Sec-Fetch-Mode": "same-origin"}  # the service worker fetching a page to keep
    fresh_browser.get(f"/plan/{emil.public_id}/crisis-plan", headers=kept_offline)
    assert current_row(fresh_browser).id == row.id
    fresh_browser.get(f"/plan/{emil.public_id}/", headers={"Sec-Fetch-Mode": "navigate"})
    assert current_row(fresh_browser).id != row.id, "a navigation does"


# --- Keeping the session alive, and the idle warning ---------------------------------

def test_keep_alive_renews_the_cookie(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/")
    warning = page.select_one("[data-idle-warning]")
    form = warning.select_one("form")
    token = form.select_one("input[name=csrf_token]")["value"]
    response = browser.client.post(form["action"], data={"csrf_token": token}, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 204
    assert "Set-Cookie" in response.headers


def test_keep_alive_without_javascript_returns_to_the_page(browser, sigrid_plan):
    browser.login_as("patient")
    url = f"/plan/{sigrid_plan.public_id}/goals"
    response = browser.submit(browser.get(url), "[data-idle-warning] form")
    assert response.status_code == 302 and response.headers["Location"] == url
    response = browser.submit(browser.get(url), "[data-idle-warning] form", {"next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_keep_alive_cannot_revive_an_ended_session(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/")
    browser.submit(page, "form.site-header__logout")
    response = browser.submit(page, "[data-idle-warning] form")
    assert response.status_code in (302, 400)
    assert browser.client.get(f"/plan/{sigrid_plan.public_id}/").headers["Location"].startswith("/login")


def test_idle_warning_is_hidden_and_says_when(app, browser, sigrid_plan):
    browser.login_as("patient")
    warning = browser.get(f"/plan/{sigrid_plan.public_id}/").select_one("[data-idle-warning]")
    assert warning.has_attr("hidden") and warning["role"] == "alert"
    assert int(warning["data-idle-seconds"]) == 30 * 60
    assert int(warning["data-warn-seconds"]) == 2 * 60
    assert warning.p.get_text(strip=True).startswith("Du blir logget ut om 2 minutter")
    assert warning.button.get_text(strip=True) == "Fortsett å være innlogget"


def test_no_idle_warning_when_signed_out(client):
    page = BeautifulSoup(client.get("/login").get_data(as_text=True), "html.parser")
    assert page.select_one("[data-idle-warning]") is None
