"""The outbox: who should be told what, written in the caller's transaction.

Call ``enqueue`` right where the change is made, before the caller commits:
the notification rows then exist exactly when the change does. Nothing is
sent here; ``flask push-worker`` (worker.py) sends.

Who is told is decided by the access policy (patient_app.access), the same
one the pages use: a relative whose grant does not cover meetings is never
told about minutes, a guardian is never told about an item hidden from
guardians, and each person's own choice of categories is respected.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from typing import NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from patient_app.access import Part, PlanAccess, accessible_plans, accesses_to_plans
from patient_app.models import (
    NotificationCategory,
    NotificationKind,
    NotificationPreference,
    OutboxItem,
    Person,
    Plan,
    PushSubscription,
)
from patient_app.models._base import utcnow

log = logging.getLogger(__name__)

# Which part of a plan a person must be allowed to see to be told about a category.
CATEGORY_PART = {
    NotificationCategory.MESSAGES: Part.MESSAGES,
    NotificationCategory.MINUTES: Part.MEETINGS,
    NotificationCategory.CALENDAR: Part.MEETINGS,
    NotificationCategory.REMINDERS: Part.MEETINGS,
}


def enqueue(
    session: Session,
    *,
    plan_id: int,
    kind: NotificationKind,
    url: str,
    actor_id: int | None = None,
    hidden_from_guardians: bool = False,
    meeting_id: int | None = None,
    only_person_ids: set[int] | None = None,
) -> int:
    """Write one outbox row per device of everyone who should hear about this; returns how many.

    - ``plan_id``: the plan's row id (``access.plan.id``).
    - ``url``: the path the notification opens, e.g. ``url_for("messages.thread", ...)``;
      a path on this site, never a full URL. The page checks access again.
    - ``actor_id``: the person who made the change; they are not told.
    - ``hidden_from_guardians``: the item is kept from guardians (a child of 12–15 asked).
    - ``meeting_id``: for reminders and meeting changes (a cancelled meeting's reminder is dropped).
    - ``only_person_ids``: limit to these people (e.g. the people in a message thread).

    Does not commit: the caller's commit writes the rows together with the change.
    """
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError("url must be a path on this site")
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise ValueError(f"no plan with id {plan_id}")
    people = recipients(
        session,
        plan,
        kind.category,
        hidden_from_guardians=hidden_from_guardians,
        exclude_person_id=actor_id,
        only_person_ids=only_person_ids,
    )
    return add_rows(session, plan, kind, url, people, meeting_id=meeting_id)


class Notice(NamedTuple):
    """One person to be told of one thing; ``add_rows_for`` writes a row per device of theirs."""

    plan_id: int
    person_id: int
    kind: NotificationKind
    url: str
    meeting_id: int | None = None


def add_rows(session: Session, plan: Plan, kind: NotificationKind, url: str, people: list[Person],
             meeting_id: int | None = None, now: dt.datetime | None = None) -> int:
    return add_rows_for(session, [Notice(plan.id, person.id, kind, url, meeting_id) for person in people], now=now)


def add_rows_for(session: Session, notices: list[Notice], now: dt.datetime | None = None) -> int:
    """One outbox row per device of each notice's person: one query and one insert however many notices."""
    if not notices:
        return 0
    now = now or utcnow()
    devices = devices_by_person(session, {notice.person_id for notice in notices})
    rows = [
        {
            "subscription_id": subscription_id,
            "person_id": notice.person_id,
            "plan_id": notice.plan_id,
            "kind": notice.kind,
            "url": notice.url,
            "meeting_id": notice.meeting_id,
            "created_at": now,
            "due_at": now,
        }
        for notice in notices
        for subscription_id in devices.get(notice.person_id, ())
    ]
    if rows:
        session.execute(insert(OutboxItem), rows)
    for kind, count in Counter(row["kind"] for row in rows).items():
        log.info("notifications queued", extra={"kind": kind.value, "devices": count})
    return len(rows)


def devices_by_person(session: Session, person_ids) -> dict[int, list[int]]:
    """Each person's subscription ids."""
    devices: dict[int, list[int]] = {}
    rows = session.execute(
        select(PushSubscription.person_id, PushSubscription.id)
        .where(PushSubscription.person_id.in_(list(person_ids)))
        .order_by(PushSubscription.id)
    )
    for person_id, subscription_id in rows:
        devices.setdefault(person_id, []).append(subscription_id)
    return devices


class Audience(NamedTuple):
    """What decides who may hear of an item: its plan, and whether it is kept from guardians."""

    plan_id: int
    hidden_from_guardians: bool = False


def recipients(
    session: Session,
    plan: Plan,
    category: NotificationCategory,
    *,
    hidden_from_guardians: bool = False,
    exclude_person_id: int | None = None,
    only_person_ids: set[int] | None = None,
    today: dt.date | None = None,
) -> list[Person]:
    """Everyone with access to this plan who may see what the category is about and wants to hear of it."""
    audience = Audience(plan.id, hidden_from_guardians)
    people = recipients_of(session, category, [audience], only_person_ids=only_person_ids, today=today)[audience]
    return [person for person in people if person.id != exclude_person_id]


def recipients_of(
    session: Session,
    category: NotificationCategory,
    audiences,
    *,
    only_person_ids: set[int] | None = None,
    today: dt.date | None = None,
) -> dict[Audience, list[Person]]:
    """``recipients`` for many plans at once (meeting reminders): two queries however many plans.

    Each audience's people come in the order of their ids.
    """
    audiences = set(audiences)
    chosen: dict[Audience, list[Person]] = {audience: [] for audience in audiences}
    if not audiences or (only_person_ids is not None and not only_person_ids):
        return chosen
    accesses = accesses_to_plans({audience.plan_id for audience in audiences}, only_person_ids, today)
    if not accesses:
        return chosen
    turned_off = turned_off_by(session, {person_id for _, person_id in accesses}, category)
    willing_by_plan: dict[int, list[PlanAccess]] = {}
    for (plan_id, person_id), access in sorted(accesses.items(), key=lambda item: item[0]):
        if person_id not in turned_off:
            willing_by_plan.setdefault(plan_id, []).append(access)
    for audience in audiences:
        chosen[audience] = [
            access.membership.person
            for access in willing_by_plan.get(audience.plan_id, [])
            if may_be_told(access, category, audience.hidden_from_guardians)
        ]
    return chosen


def may_be_told(access: PlanAccess | None, category: NotificationCategory, hidden_from_guardians: bool = False) -> bool:
    """The policy's answer for the item the notification is about (PlanAccess.may_see_item)."""
    return access is not None and access.may_see_item(CATEGORY_PART[category], hidden_from_guardians)


def turned_off_by(session: Session, person_ids, category: NotificationCategory) -> set[int]:
    return set(
        session.scalars(
            select(NotificationPreference.person_id).where(
                NotificationPreference.person_id.in_(list(person_ids)),
                NotificationPreference.category == category,
                NotificationPreference.enabled.is_(False),
            )
        )
    )


# --- A person's choices ---------------------------------------------------------


def available_categories(person: Person, today: dt.date | None = None) -> list[NotificationCategory]:
    """The categories this person could be told about on at least one plan (relatives: within their grant)."""
    accesses = accessible_plans(person, today)
    return [
        category
        for category in NotificationCategory
        if any(may_be_told(access, category) for access in accesses)
    ]


def chosen_categories(session: Session, person: Person) -> set[NotificationCategory]:
    off = set(
        session.scalars(
            select(NotificationPreference.category).where(
                NotificationPreference.person_id == person.id, NotificationPreference.enabled.is_(False)
            )
        )
    )
    return set(NotificationCategory) - off


def save_choices(session: Session, person: Person, wanted: set[NotificationCategory],
                 offered: list[NotificationCategory]) -> None:
    """Store the person's choice for the categories they were offered; others stay as they were."""
    existing = {
        row.category: row
        for row in session.scalars(select(NotificationPreference).where(NotificationPreference.person_id == person.id))
    }
    for category in offered:
        row = existing.get(category)
        if row is None:
            row = NotificationPreference(person_id=person.id, category=category)
            session.add(row)
        row.enabled = category in wanted
