"""Writing a municipality's records: the municipality, its coordinating unit and its staff.

The only code that adds and ends staff roles; each change keeps who made it and when
(docs/domain.md, Municipalities and their staff). Who may call it is decided by
access_municipality.py (in the app) or by whoever runs the command line.
"""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select, update

from patient_app.extensions import db
from patient_app.models import CoordinatingUnit, Municipality, Person, StaffMembership, StaffRole, hash_pid
from patient_app.models._base import utcnow
from patient_app.sharing import person_with_number

MUNICIPALITY_NUMBER = re.compile(r"\d{4}")


def is_municipality_number(text: str) -> bool:
    """Municipality numbers are four digits, the county's two first ("1103" is Stavanger in Rogaland)."""
    return bool(MUNICIPALITY_NUMBER.fullmatch(text or ""))


def municipality_numbered(number: str) -> Municipality | None:
    return db.session.scalar(select(Municipality).where(Municipality.number == number))


def add_municipality(number: str, name: str) -> tuple[Municipality, bool]:
    """The municipality with this number, and its coordinating unit; True when it was new."""
    existing = municipality_numbered(number)
    if existing is not None:
        return existing, False
    municipality = Municipality(number=number, name=name.strip())
    municipality.unit = CoordinatingUnit(name=f"Koordinerende enhet, {municipality.name}")
    db.session.add(municipality)
    db.session.commit()
    return municipality, True


def active_staff_role(municipality: Municipality, person: Person, role: StaffRole) -> StaffMembership | None:
    return db.session.scalar(select(StaffMembership).where(
        StaffMembership.municipality_id == municipality.id, StaffMembership.person_id == person.id,
        StaffMembership.role == role, StaffMembership.ended_at.is_(None),
    ))


def has_active_role(municipality: Municipality, number: str, role: StaffRole) -> bool:
    """Whether the person with this identity number has the role here now; creates nobody."""
    digest = hash_pid(number, current_app.config["PID_HASH_KEY"])
    return db.session.scalar(
        select(StaffMembership.id).join(Person, Person.id == StaffMembership.person_id).where(
            Person.pid_hash == digest, StaffMembership.municipality_id == municipality.id,
            StaffMembership.role == role, StaffMembership.ended_at.is_(None),
        )
    ) is not None


def add_staff(municipality: Municipality, number: str, name: str, role: StaffRole,
              added_by: Person | None) -> tuple[StaffMembership, bool]:
    """Give the person with this identity number the role; True when it was new, False when
    they had it already (nothing changes). ``added_by`` None: from the command line."""
    person = person_with_number(number, name)
    existing = active_staff_role(municipality, person, role)
    if existing is not None:
        db.session.commit()  # the register's name, if it changed
        return existing, False
    membership = StaffMembership(municipality_id=municipality.id, person_id=person.id, role=role,
                                 added_by_id=added_by.id if added_by else None, added_at=utcnow())
    db.session.add(membership)
    db.session.commit()
    return membership, True


def end_staff_role(membership: StaffMembership, ended_by: Person) -> bool:
    """End the role now; False when it had already ended (a second press changes nothing)."""
    # One UPDATE that only an active role matches: of two administrators ending it at
    # once, one ends it and the other is told it had already ended.
    ended = db.session.execute(
        update(StaffMembership)
        .where(StaffMembership.id == membership.id, StaffMembership.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_by_id=ended_by.id)
    ).rowcount
    db.session.commit()
    return ended == 1
