"""The population register over real HTTP: the stand-in's answers, the client, and logins when it is down."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from patient_app.demo.people import demo_person
from patient_app.extensions import db
from patient_app.identity_numbers import make_synthetic
from patient_app.models import Person, hash_pid
from patient_app.population_register import RegisterUnavailable, look_up
from tests.auth.conftest import HttpUser
from tests.conftest import NO_SERVICE, NOT_IN_REGISTER, app_on_new_database, live_system


@pytest.fixture
def ask(app, population_register):
    """ask(pid): the client's answer, from the stand-in over HTTP (tests/conftest.py starts it)."""

    def ask(pid, url=population_register):
        with app.test_request_context():
            app.config["POPULATION_REGISTER_URL"] = url
            try:
                return look_up(pid)
            finally:
                app.config["POPULATION_REGISTER_URL"] = population_register

    return ask


def test_a_demo_person_has_the_registers_name_and_birth_date(ask):
    sigrid = ask(demo_person("patient").pid)

    assert sigrid.name == "Sigrid Bakken Holm"
    assert sigrid.birth_date == dt.date(1984, 6, 12)
    assert not sigrid.deceased
    assert sigrid.parental_responsibility_for == ()


def test_parental_responsibility_is_the_registers(ask):
    emil = demo_person("child").pid

    assert ask(demo_person("guardian1").pid).parental_responsibility_for == (emil,)
    assert ask(demo_person("guardian2").pid).parental_responsibility_for == (emil,)
    assert ask(emil).parental_responsibility_for == ()  # the child is responsible for nobody


def test_any_other_synthetic_number_has_a_plausible_stable_entry(ask):
    pid = make_synthetic(dt.date(1990, 5, 17), 123)

    first, again = ask(pid), ask(pid)

    assert first == again
    assert len(first.name.split()) == 2
    assert first.birth_date == dt.date(1990, 5, 17)


@pytest.mark.parametrize("pid", [NOT_IN_REGISTER, "17059012345", "not-a-number", ""])
def test_numbers_that_are_not_valid_synthetic_ones_are_not_found(ask, pid):
    assert ask(pid) is None


def test_a_register_that_does_not_answer_is_unavailable_not_empty(ask):
    with pytest.raises(RegisterUnavailable):
        ask(demo_person("patient").pid, url=NO_SERVICE)


def stored_name(app, key: str) -> str:
    digest = hash_pid(demo_person(key).pid, app.config["PID_HASH_KEY"])
    with app.app_context():
        return db.session.scalar(select(Person.name).where(Person.pid_hash == digest))


def rename(app, key: str, name: str) -> None:
    digest = hash_pid(demo_person(key).pid, app.config["PID_HASH_KEY"])
    with app.app_context():
        db.session.scalar(select(Person).where(Person.pid_hash == digest)).name = name
        db.session.commit()


@pytest.mark.parametrize(("register_up", "name_after_login"), [(True, "Sigrid Bakken Holm"), (False, "Skrevet Inn")])
def test_login_takes_the_name_from_the_register_and_works_without_it(tmp_path_factory, register_up, name_after_login):
    with app_on_new_database(tmp_path_factory) as app:
        rename(app, "patient", "Skrevet Inn")  # as typed by whoever created the person
        with live_system(app.config["SQLALCHEMY_DATABASE_URI"], register_up=register_up) as (app_url, _, _):
            landed = HttpUser(app_url).login_as("patient")

        assert landed.status_code == 200 and "/plan/" in landed.url
        assert stored_name(app, "patient") == name_after_login


def test_at_16_the_young_person_is_told_once_that_the_plan_is_theirs_alone(tmp_path_factory):
    """The register says the person was born 16 years ago today; their plan had guardians."""
    from patient_app.access import today_in_oslo
    from patient_app.models import Membership, Plan, Role
    from tests.views.test_authorization_matrix import synthetic_number_born, years_ago

    pid = synthetic_number_born(years_ago(16, today_in_oslo()))
    with app_on_new_database(tmp_path_factory) as app:
        with app.app_context():
            young = Person(name="Ung Person", pid_hash=hash_pid(pid, app.config["PID_HASH_KEY"]),
                           birth_date=years_ago(16, today_in_oslo()))
            plan = Plan(owner=young, next_review=today_in_oslo())
            db.session.add_all([young, plan])
            db.session.flush()
            mother = db.session.scalar(select(Person).where(
                Person.pid_hash == hash_pid(demo_person("guardian1").pid, app.config["PID_HASH_KEY"])))
            db.session.add_all([Membership(plan_id=plan.id, person_id=young.id, role=Role.OWNER),
                                Membership(plan_id=plan.id, person_id=mother.id, role=Role.GUARDIAN)])
            db.session.commit()
        with live_system(app.config["SQLALCHEMY_DATABASE_URI"]) as (app_url, _, _):
            def log_in():
                user = HttpUser(app_url)
                to_app = user.pick_person(user.start_login(), pid)
                return user.page(user.http.get(to_app.headers["Location"]))

            first, second = log_in(), log_in()
            adult_without_guardians = HttpUser(app_url).page(HttpUser(app_url).login_as("patient"))

    told = "Du har fylt 16 år. Nå er det bare du som bestemmer hvem som kan se planen din."
    assert told in first.get_text()
    assert told not in second.get_text(), "told once, not at every login"
    assert told not in adult_without_guardians.get_text()


def guardian_memberships(app, plan_owner_key: str) -> dict[str, bool]:
    """The names of the guardians on record for the plan, and whether each is in force (not revoked)."""
    from patient_app.models import Membership, Plan, Role

    owner_hash = hash_pid(demo_person(plan_owner_key).pid, app.config["PID_HASH_KEY"])
    with app.app_context():
        plan = db.session.scalar(select(Plan).join(Person, Plan.owner_id == Person.id).where(Person.pid_hash == owner_hash))
        memberships = db.session.scalars(select(Membership).where(Membership.plan_id == plan.id,
                                                                  Membership.role == Role.GUARDIAN)).all()
        return {m.person.name: m.revoked_at is None for m in memberships}


@pytest.mark.parametrize("register_up", [True, False])
def test_guardianships_follow_the_register_at_the_guardians_login(tmp_path_factory, register_up):
    """Jonas's guardianship was removed by hand and Anders was made guardian by hand; the
    register says Marte and Jonas. With the register down, nothing changes."""
    from patient_app.models import Membership, Plan, Role

    with app_on_new_database(tmp_path_factory) as app:
        key = app.config["PID_HASH_KEY"]
        with app.app_context():
            def person(k):
                return db.session.scalar(select(Person).where(Person.pid_hash == hash_pid(demo_person(k).pid, key)))

            emil_plan = db.session.scalar(select(Plan).where(Plan.owner_id == person("child").id))
            jonas = db.session.scalar(select(Membership).where(Membership.plan_id == emil_plan.id,
                                                               Membership.person_id == person("guardian2").id))
            db.session.delete(jonas)
            db.session.add(Membership(plan_id=emil_plan.id, person_id=person("relative").id, role=Role.GUARDIAN))
            db.session.commit()
        before = guardian_memberships(app, "child")
        assert before == {"Marte Strand": True, "Anders Holm": True}

        with live_system(app.config["SQLALCHEMY_DATABASE_URI"], register_up=register_up) as (app_url, _, _):
            HttpUser(app_url).login_as("guardian2")
            HttpUser(app_url).login_as("relative")

        expected = {"Marte Strand": True, "Jonas Strand": True, "Anders Holm": False} if register_up else before
        assert guardian_memberships(app, "child") == expected
