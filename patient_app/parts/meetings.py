"""Meetings and their minutes; everyone in the plan is told of a new, moved or cancelled
meeting and of published minutes (docs/domain.md, Notifications), through the outbox in the
same transaction as the change."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from patient_app import history
from patient_app.access import Part, PlanAccess
from patient_app.extensions import db
from patient_app.models import Meeting, Minutes, NotificationKind
from patient_app.models._base import utcnow
from patient_app.notify.outbox import enqueue
from patient_app.parts._base import HIDDEN_FROM_GUARDIANS, ItemType, Tracked, add_item, change_item

MEETING = ItemType(
    code="meeting", label=_l("Møte"), part=Part.MEETINGS, name_of=lambda meeting: meeting.title,
    endpoint="meetings.show", id_argument="meeting_id",
    tracked=(
        Tracked("title", "text", _l("Tittel")),
        Tracked("starts_at", "datetime", _l("Tidspunkt")),
        Tracked("ends_at", "datetime", _l("Slutter")),
        Tracked("location", "text", _l("Sted")),
        Tracked("video_url", "text", _l("Videomøte")),
        Tracked("invitees", "text", _l("Hvem kommer"), value=lambda m: [p.name for p in m.invitees]),
        Tracked("agenda", "text", _l("Hva dere skal snakke om")),
        Tracked("cancelled", "bool", _l("Avlyst")),
        HIDDEN_FROM_GUARDIANS,
    ),
)

# Minutes are shown with their meeting: their history hangs on the meeting's id.
MINUTES = ItemType(
    code="minutes", label=_l("Referat"), part=Part.MEETINGS, name_of=lambda minutes: minutes.meeting.title,
    endpoint="meetings.show", id_argument="meeting_id",
    tracked=(Tracked("body", "text", _l("Referat")),),
)


def _tell_everyone(access: PlanAccess, meeting: Meeting, kind: NotificationKind) -> None:
    enqueue(
        db.session,
        plan_id=access.plan.id,
        kind=kind,
        url=url_for("meetings.show", plan_id=access.plan.public_id, meeting_id=meeting.public_id),
        actor_id=access.membership.person_id,
        hidden_from_guardians=meeting.hidden_from_guardians,
        meeting_id=meeting.id,
    )


def add_meeting(access: PlanAccess, values: dict[str, Any]) -> Meeting:
    meeting = add_item(access, MEETING, Meeting(plan_id=access.plan.id), values)
    _tell_everyone(access, meeting, NotificationKind.MEETING_CREATED)
    db.session.commit()
    return meeting


def change_meeting(access: PlanAccess, meeting: Meeting, values: dict[str, Any]) -> None:
    was_cancelled, was_at = meeting.cancelled, meeting.starts_at
    change_item(access, MEETING, meeting, values)
    if meeting.cancelled and not was_cancelled:
        _tell_everyone(access, meeting, NotificationKind.MEETING_CANCELLED)
    elif meeting.starts_at != was_at and not meeting.cancelled:
        _tell_everyone(access, meeting, NotificationKind.MEETING_MOVED)
    db.session.commit()


def save_minutes(access: PlanAccess, meeting: Meeting, body: str, publish: bool) -> Minutes:
    """Minutes are a draft until published; only then do the others see them, and only
    changes after that are history."""
    shown_with = dict(public_id=meeting.public_id, hidden=meeting.hidden_from_guardians)
    record = meeting.minutes
    if record is None:
        record = Minutes(meeting=meeting, body=body)
        db.session.add(record)
    elif record.is_published:
        change_item(access, MINUTES, record, {"body": body}, **shown_with)
    else:
        record.body = body
    if publish and not record.is_published:
        record.published_at = utcnow()
        history.record_event(access, MINUTES.code, record, meeting.title, "published", **shown_with)
        _tell_everyone(access, meeting, NotificationKind.MINUTES)
    db.session.commit()
    return record
