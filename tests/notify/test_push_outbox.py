"""enqueue: who is told, decided by the access policy and each person's own choices."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from patient_app.extensions import db
from patient_app.models import (
    Membership,
    NotificationCategory,
    NotificationKind,
    NotificationPreference,
    OutboxItem,
    Scope,
)
from patient_app.models._base import utcnow
from patient_app.notify import enqueue
from patient_app.notify.outbox import available_categories, chosen_categories, save_choices
from tests.notify.conftest import add_device, person, owned_plan

ALL = ("patient", "relative", "coordinator", "child", "guardian1", "guardian2")


def told(kind=NotificationKind.MESSAGE, owner="patient", **kwargs) -> set[str]:
    """Enqueue on this owner's plan and return the keys of the people who got a row."""
    plan = owned_plan(owner)
    enqueue(db.session, plan_id=plan.id, kind=kind, url=f"/plan/{plan.public_id}/", **kwargs)
    db.session.flush()
    ids = set(db.session.scalars(select(OutboxItem.person_id)))
    db.session.rollback()
    return {key for key in ALL if person(key).id in ids}


@pytest.fixture
def everyone_has_a_device(push_app, fake_push):
    with push_app.app_context():
        for key in ALL:
            add_device(fake_push, key)
    return push_app


def test_a_message_is_told_to_those_who_may_read_messages_and_not_to_its_writer(everyone_has_a_device):
    with everyone_has_a_device.app_context():
        # Anders's grant is meetings and contacts: no messages.
        assert told(NotificationKind.MESSAGE, actor_id=person("coordinator").id) == {"patient"}
        assert told(NotificationKind.MESSAGE, actor_id=person("patient").id) == {"coordinator"}


def test_minutes_and_meetings_reach_a_relative_whose_grant_covers_meetings(everyone_has_a_device):
    with everyone_has_a_device.app_context():
        for kind in (NotificationKind.MINUTES, NotificationKind.MEETING_MOVED, NotificationKind.REMINDER_WEEK):
            assert told(kind, actor_id=person("coordinator").id) == {"patient", "relative"}, kind


def test_a_relative_with_only_messages_is_not_told_about_meetings(everyone_has_a_device):
    with everyone_has_a_device.app_context():
        membership = db.session.scalar(select(Membership).where(Membership.person_id == person("relative").id))
        membership.scopes = Scope.MESSAGES.value
        db.session.commit()
        assert "relative" not in told(NotificationKind.MINUTES)
        assert "relative" in told(NotificationKind.MESSAGE)


def test_a_withdrawn_grant_means_no_notifications(everyone_has_a_device):
    with everyone_has_a_device.app_context():
        membership = db.session.scalar(select(Membership).where(Membership.person_id == person("relative").id))
        membership.revoked_at = utcnow()
        db.session.commit()
        assert "relative" not in told(NotificationKind.MINUTES)


def test_guardians_are_not_told_about_what_is_hidden_from_them(everyone_has_a_device):
    with everyone_has_a_device.app_context():
        coordinator = person("coordinator").id
        assert told(NotificationKind.MESSAGE, owner="child", actor_id=coordinator) == {"child", "guardian1", "guardian2"}
        assert told(NotificationKind.MESSAGE, owner="child", actor_id=coordinator, hidden_from_guardians=True) == {"child"}


def test_a_category_turned_off_is_respected(everyone_has_a_device):
    with everyone_has_a_device.app_context():
        db.session.add(NotificationPreference(person_id=person("patient").id, category=NotificationCategory.MINUTES,
                                              enabled=False))
        db.session.commit()
        assert told(NotificationKind.MINUTES) == {"relative", "coordinator"}
        assert "patient" in told(NotificationKind.MEETING_CREATED)


def test_one_row_per_device_and_only_for_people_with_devices(push_app, fake_push):
    with push_app.app_context():
        add_device(fake_push, "patient")
        add_device(fake_push, "patient")
        plan = owned_plan("patient")
        written = enqueue(db.session, plan_id=plan.id, kind=NotificationKind.MINUTES, url="/somewhere")
        assert written == 2
        assert {row.person_id for row in db.session.scalars(select(OutboxItem))} == {person("patient").id}


def test_enqueue_writes_in_the_callers_transaction(push_app, fake_push):
    with push_app.app_context():
        add_device(fake_push, "patient")
        plan = owned_plan("patient")
        enqueue(db.session, plan_id=plan.id, kind=NotificationKind.MESSAGE, url="/x")
        db.session.rollback()  # the change failed: no notification either
        assert db.session.scalar(select(func.count()).select_from(OutboxItem)) == 0
        enqueue(db.session, plan_id=plan.id, kind=NotificationKind.MESSAGE, url="/x")
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(OutboxItem)) == 1


@pytest.mark.parametrize("url", ["https://elsewhere.example/x", "//elsewhere.example/x", "plan/x"])
def test_enqueue_takes_only_a_path_on_this_site(push_app, url):
    with push_app.app_context():
        with pytest.raises(ValueError):
            enqueue(db.session, plan_id=owned_plan("patient").id, kind=NotificationKind.MESSAGE, url=url)


def test_categories_offered_follow_the_grant(push_app):
    with push_app.app_context():
        assert available_categories(person("patient")) == list(NotificationCategory)
        assert NotificationCategory.MESSAGES not in available_categories(person("relative"))
        assert set(available_categories(person("relative"))) == {
            NotificationCategory.MINUTES, NotificationCategory.CALENDAR, NotificationCategory.REMINDERS
        }


def test_saving_choices_touches_only_the_categories_offered(push_app):
    with push_app.app_context():
        anders = person("relative")
        offered = available_categories(anders)
        save_choices(db.session, anders, {NotificationCategory.REMINDERS}, offered)
        db.session.commit()
        chosen = chosen_categories(db.session, anders)
        assert NotificationCategory.REMINDERS in chosen
        assert NotificationCategory.MINUTES not in chosen
        # Not offered, so left as it was (on): it matters the day a grant covers it.
        assert NotificationCategory.MESSAGES in chosen
