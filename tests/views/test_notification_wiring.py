"""Changes that people are told about write their outbox rows in the same transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from patient_app.extensions import db
from patient_app.models import Meeting, NotificationKind, OutboxItem, PushSubscription
from tests.views.conftest import person_by_key, plan_of


def give_devices(app, *keys):
    with app.app_context():
        for n, key in enumerate(keys):
            person = person_by_key(app, key)
            db.session.add(PushSubscription(person_id=person.id, endpoint=f"http://127.0.0.1:9/push/{key}-{n}",
                                            p256dh="BExample", auth="secret"))
        db.session.commit()


def outbox(app):
    with app.app_context():
        return [(row.person_id, row.kind) for row in db.session.scalars(select(OutboxItem))]


def test_a_message_from_the_patient_notifies_the_coordinator_not_the_patient(fresh_browser):
    app = fresh_browser.app
    give_devices(app, "patient", "coordinator")
    plan = plan_of(app, "patient")
    fresh_browser.login_as("patient")
    page = fresh_browser.get(f"/plan/{plan.public_id}/messages/new")
    response = fresh_browser.submit(page, "main form[method=post]", {"subject": "Spørsmål", "body": "Hei, når er neste møte?"})
    assert response.status_code == 302
    rows = outbox(app)
    coordinator = person_by_key(app, "coordinator")
    patient = person_by_key(app, "patient")
    assert (coordinator.id, NotificationKind.MESSAGE) in rows
    assert all(person_id != patient.id for person_id, _ in rows), "the writer is not told about their own message"


def test_publishing_minutes_and_moving_a_meeting_notify_the_patient(fresh_browser):
    app = fresh_browser.app
    give_devices(app, "patient")
    plan = plan_of(app, "patient")
    with app.app_context():
        meeting = db.session.scalars(
            select(Meeting).where(Meeting.plan_id == plan.id).order_by(Meeting.starts_at.desc())
        ).first()
    fresh_browser.login_as("coordinator")
    minutes_page = fresh_browser.get(f"/coordinator/plan/{plan.public_id}/meetings/{meeting.public_id}/minutes")
    fresh_browser.submit(minutes_page, "main form[method=post]", {"body": "Vi snakket om treningen."}, button=("action", "publish"))
    patient = person_by_key(app, "patient")
    assert (patient.id, NotificationKind.MINUTES) in outbox(app)

    edit = fresh_browser.get(f"/coordinator/plan/{plan.public_id}/meetings/{meeting.public_id}")
    form = edit.select_one("main form[method=post]")
    fields = {i["name"]: i.get("value", "") for i in form.select("input") if i.get("name") and i.get("type") not in ("checkbox", "submit")}
    fields.update({t["name"]: t.get_text() for t in form.select("textarea")})
    for checkbox in form.select("input[type=checkbox][checked]"):
        fields.setdefault(checkbox["name"], checkbox.get("value", "y"))
    day_field = next(name for name in fields if "date" in name or "day" in name)
    moved_to = dt.date.fromisoformat(fields[day_field]) + dt.timedelta(days=1)
    fields[day_field] = moved_to.isoformat()
    response = fresh_browser.client.post(form["action"], data=fields)
    assert response.status_code == 302, fresh_browser.parse(response).select_one(".error-summary")
    assert (patient.id, NotificationKind.MEETING_MOVED) in outbox(app)
