"""Decisions about who sees the plan: granting, withdrawing, and the record of them."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select

from patient_app.access import GUARDIAN_AGE_LIMIT, PlanAccess, today_in_oslo
from patient_app.extensions import db
from patient_app.identity_numbers import birth_date
from patient_app.models import GrantAction, GrantEvent, Membership, Person, Plan, Role, Scope, hash_pid
from patient_app.models._base import utcnow


def person_with_number(number: str, name: str) -> Person:
    """The person with this identity number, created if new to us; the name is the register's."""
    digest = hash_pid(number, current_app.config["PID_HASH_KEY"])
    person = db.session.scalar(select(Person).where(Person.pid_hash == digest))
    if person is None:
        person = Person(name=name.strip(), pid_hash=digest, birth_date=birth_date(number))
        db.session.add(person)
        db.session.flush()
    person.name = name.strip()
    return person


# Only adults may be given access to someone's plan: a relative's access is a
# responsibility, and a minor cannot be asked to carry it.
MIN_AGE_FOR_ACCESS = 18


def old_enough_for_access(born: dt.date | None, today: dt.date) -> bool:
    """False for anyone under 18 on ``today``; a birth date the register lacks counts as not old enough."""
    if born is None:
        return False
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day)) >= MIN_AGE_FOR_ACCESS


def turned_16_and_not_yet_told(person: Person, today: dt.date) -> bool:
    """A patient of 16 or more whose plan had guardians, not yet told that it is now theirs alone to share."""
    age = person.age_on(today)
    if person.told_plan_is_theirs_at is not None or age is None or age < GUARDIAN_AGE_LIMIT:
        return False
    had_guardians = (
        select(Membership.id).join(Plan, Plan.id == Membership.plan_id)
        .where(Plan.owner_id == person.id, Membership.role == Role.GUARDIAN).limit(1)
    )
    return db.session.scalar(had_guardians) is not None


def follow_register_guardianships(person: Person, children: tuple[str, ...]) -> None:
    """A guardian's memberships are the register's parental responsibility: one for the plan of
    each child it names (active while the child is under 16), none for any other plan."""
    key = current_app.config["PID_HASH_KEY"]
    wanted = set(db.session.scalars(
        select(Plan.id).join(Person, Plan.owner_id == Person.id)
        .where(Person.pid_hash.in_([hash_pid(child, key) for child in children]))
    ))
    for membership in db.session.scalars(
        select(Membership).where(Membership.person_id == person.id, Membership.role == Role.GUARDIAN)
    ):
        if membership.plan_id in wanted:
            membership.revoked_at = None
            wanted.discard(membership.plan_id)
        elif membership.revoked_at is None:
            membership.revoked_at = utcnow()  # a guardianship the register does not have
    db.session.add_all(Membership(plan_id=plan_id, person_id=person.id, role=Role.GUARDIAN) for plan_id in wanted)


def is_number_of(person: Person, number: str) -> bool:
    return person.pid_hash == hash_pid(number, current_app.config["PID_HASH_KEY"])


def grant_relative(access: PlanAccess, number: str, name: str, scopes: list[Scope], valid_until: dt.date | None) -> Membership:
    """Give (or change) a relative's access, and record the consent event, in one transaction."""
    relative = person_with_number(number, name)
    membership = db.session.scalar(
        select(Membership).where(
            Membership.plan_id == access.plan.id, Membership.person_id == relative.id, Membership.role == Role.RELATIVE
        )
    )
    action = GrantAction.GRANTED
    if membership is None:
        membership = Membership(plan_id=access.plan.id, person_id=relative.id, role=Role.RELATIVE)
        db.session.add(membership)
    elif membership.revoked_at is None and (membership.valid_until is None or membership.valid_until >= today_in_oslo()):
        action = GrantAction.CHANGED
    membership.scopes = " ".join(scope.value for scope in scopes)
    membership.valid_until = valid_until
    membership.revoked_at = None
    membership.created_at = utcnow()
    db.session.flush()
    _record(access, membership, action)
    db.session.commit()
    return membership


def withdraw(access: PlanAccess, membership: Membership) -> None:
    membership.revoked_at = utcnow()
    _record(access, membership, GrantAction.WITHDRAWN)
    db.session.commit()


def _record(access: PlanAccess, membership: Membership, action: GrantAction) -> None:
    db.session.add(
        GrantEvent(
            plan_id=access.plan.id,
            membership_id=membership.id,
            actor_id=access.membership.person_id,
            action=action,
            scopes=membership.scopes,
            valid_until=membership.valid_until,
        )
    )
