"""The session cookie stays small however many plans a person opens (issue 14, section 3).

Browsers drop a cookie of about 4 KB; a coordinator whose cookie grew with every
plan and part opened was logged out after about fifteen plans.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from patient_app.extensions import db
from patient_app.models import AccessLogEntry, Goal, Membership, Person, Plan, Role
from tests.views.conftest import Browser, person_by_key

PLANS = 50
PARTS = ["", "goals", "meetings", "measures"]


def plans_for_the_coordinator(app) -> list[str]:
    """PLANS patients, each with a plan the demo coordinator coordinates."""
    coordinator = person_by_key(app, "coordinator")
    with app.app_context():
        plans = []
        for number in range(PLANS):
            patient = Person(name=f"Pasient {number}", pid_hash=f"cookie-test-{number}", birth_date=dt.date(1980, 1, 1))
            plan = Plan(owner=patient)
            db.session.add_all([patient, plan])
            db.session.flush()
            db.session.add_all([Membership(plan_id=plan.id, person_id=coordinator.id, role=Role.COORDINATOR),
                                Goal(plan_id=plan.id, title="Et mål")])
            plans.append(str(plan.public_id))
        db.session.commit()
        return plans


def cookie_size(browser: Browser) -> int:
    cookie = browser.client.get_cookie(browser.app.config["SESSION_COOKIE_NAME"])
    return len(cookie.value)


def test_a_coordinator_opens_fifty_plans_and_the_cookie_stays_under_1_kb(fresh_app):
    plans = plans_for_the_coordinator(fresh_app)
    browser = Browser(fresh_app, fresh_app.test_client())
    browser.login_as("coordinator")
    sizes = []
    for plan in plans:
        for part in PARTS:
            browser.get(f"/plan/{plan}/{part}")
        sizes.append(cookie_size(browser))
    assert max(sizes) < 1024, f"the cookie grew to {max(sizes)} bytes"
    assert sizes[-1] <= sizes[0] + 16, f"the cookie grows with each plan: {sizes[0]} → {sizes[-1]} bytes"
    logged = access_log_rows(fresh_app)
    assert logged == PLANS * len(PARTS), "each part's view was logged"
    for plan in plans[:10]:  # again, within the window: still logged in, and nothing logged twice
        for part in PARTS:
            browser.get(f"/plan/{plan}/{part}")  # a redirect to the login page would fail here
    assert access_log_rows(fresh_app) == logged


def access_log_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AccessLogEntry.id)))


def test_views_already_logged_are_remembered_by_the_login_not_the_cookie(fresh_app):
    """The same person in another browser is another login: their views are logged again."""
    plans = plans_for_the_coordinator(fresh_app)[:2]
    first, second = (Browser(fresh_app, fresh_app.test_client()) for _ in range(2))
    first.login_as("coordinator")
    second.login_as("coordinator")
    for browser in (first, second, first):
        for plan in plans:
            browser.get(f"/plan/{plan}/goals")
    assert access_log_rows(fresh_app) == 4


def test_what_is_new_stays_marked_while_the_coordinator_moves_between_plan_and_workspace(fresh_app):
    """Each move between a plan and the workspace starts a new session row (login_sessions.rotate);
    what the login remembers moves with it."""
    from tests.views.conftest import plan_of
    from tests.views.form_filling import submit

    plan = plan_of(fresh_app, "patient")
    lise = Browser(fresh_app, fresh_app.test_client())
    lise.login_as("coordinator")
    lise.get(f"/plan/{plan.public_id}/")  # her first visit: what comes later is new
    with fresh_app.app_context():
        colleague = Person(name="Kollega", pid_hash="cookie-test-colleague", birth_date=dt.date(1970, 1, 1))
        db.session.add(colleague)
        db.session.flush()
        db.session.add(Membership(plan_id=plan.id, person_id=colleague.id, role=Role.COORDINATOR))
        db.session.commit()
    other = Browser(fresh_app, fresh_app.test_client())
    other.login_as_person(colleague)
    form = other.get(f"/coordinator/plan/{plan.public_id}/measures/new")
    assert submit(other, form, "main form", {"title": "Svømming"}).status_code == 302

    lise.login_as("coordinator")  # her next login
    new_since = "section[aria-labelledby=new-since-heading]"
    assert lise.get(f"/plan/{plan.public_id}/").select_one(new_since), "new since her last login"
    lise.get("/coordinator/")
    assert lise.get(f"/plan/{plan.public_id}/").select_one(new_since), "still new after a look at the workspace"
