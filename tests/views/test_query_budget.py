"""Pages cost a small, fixed number of SQL queries, whatever the size of the plan (no N+1)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from patient_app.extensions import db
from patient_app.models import Goal, Measure, Meeting, Minutes, Participant, ServiceDecision
from patient_app.models._base import utcnow
from tests.conftest import app_on_new_database
from tests.statements import recorded_statements
from tests.views.conftest import Browser, plan_of

PAGES = ["", "goals", "measures", "decisions", "meetings", "crisis-plan", "contacts", "about-this-plan", "print"]
MAX_QUERIES = 12  # the print version, which shows every part
# The overview is the page people open most (bench/RESULTS.md): the person, their access,
# goals, measures with goal and responsible, the next meeting with its invitees, the
# coordinator and the unread count (asked by the page and the navigation, counted once).
OVERVIEW_MAX_QUERIES = 7


def grow_plan(app, plan, extra: int) -> None:
    with app.app_context():
        participants = db.session.scalars(select(Participant).where(Participant.plan_id == plan.id)).all()
        today = dt.date.today()
        goals = [Goal(plan_id=plan.id, title=f"Mål {n}") for n in range(extra)]
        meetings = [
            Meeting(plan_id=plan.id, title=f"Møte {n}", starts_at=utcnow() + dt.timedelta(days=n - extra // 2),
                    invitees=participants[: 1 + n % 3])
            for n in range(extra)
        ]
        db.session.add_all(goals + meetings)
        db.session.flush()
        for n, (goal, meeting) in enumerate(zip(goals, meetings)):
            db.session.add_all([
                Goal(plan_id=plan.id, parent_id=goal.id, title=f"Delmål {n}"),
                Measure(plan_id=plan.id, goal_id=goal.id, title=f"Tiltak {n}",
                        responsible_id=participants[n % len(participants)].id,
                        start_date=today - dt.timedelta(days=1), end_date=today + dt.timedelta(days=n + 1)),
                ServiceDecision(plan_id=plan.id, service=f"Tjeneste {n}"),
                Minutes(meeting_id=meeting.id, body="Referat", published_at=utcnow()),
            ])
        db.session.commit()


def queries_for(browser, url) -> int:
    with browser.app.app_context():
        engine = db.engine
    with recorded_statements(engine) as statements:
        browser.get(url)
    return len(statements)


@pytest.fixture(scope="module")
def counts_small_and_large(tmp_path_factory):
    """Measured once for the module: growing a plan to 300 items takes seconds."""
    with app_on_new_database(tmp_path_factory) as fresh_app:
        yield from _measure(fresh_app)  # a generator: the database lives until the module ends


def _measure(fresh_app):
    browser = Browser(fresh_app, fresh_app.test_client())
    plan = plan_of(fresh_app, "patient")
    browser.login_as("patient")
    grow_plan(fresh_app, plan, 5)
    # The first page of a plan in a session stores what the person has seen ("new since
    # last time", patient_app/whats_new.py): a one-off cost, not one that grows.
    browser.get(f"/plan/{plan.public_id}/")
    small = {page: queries_for(browser, f"/plan/{plan.public_id}/{page}") for page in PAGES}
    grow_plan(fresh_app, plan, 295)
    large = {page: queries_for(browser, f"/plan/{plan.public_id}/{page}") for page in PAGES}
    yield small, large


def test_query_count_does_not_grow_with_the_plan(counts_small_and_large):
    small, large = counts_small_and_large
    grew = {page: (small[page], large[page]) for page in PAGES if large[page] != small[page]}
    assert not grew, f"These pages run more queries for a bigger plan (5 → 300 items): {grew}"


def test_query_count_is_small(counts_small_and_large):
    _small, large = counts_small_and_large
    too_many = {page: n for page, n in large.items() if n > MAX_QUERIES}
    assert not too_many, f"Pages above the budget of {MAX_QUERIES} queries: {too_many}"


def test_overview_query_count(counts_small_and_large):
    _small, large = counts_small_and_large
    assert large[""] <= OVERVIEW_MAX_QUERIES, f"The overview ran {large['']} queries (budget {OVERVIEW_MAX_QUERIES})"
