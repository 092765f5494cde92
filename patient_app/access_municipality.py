"""The access policy for a municipality's own pages: who administers which coordinating unit.

Beside access.py (the policy for plans), so that file stays small. A staff role comes
from the municipality's records, never from the login (docs/domain.md, Municipalities and
their staff); anyone who is not an active administrator of the municipality in the URL,
staff of another municipality included, gets 404, as for plans, so numbers cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask_login import current_user, login_required
from sqlalchemy import select

from patient_app import login_sessions
from patient_app.access import refuse
from patient_app.extensions import db
from patient_app.models import Municipality, Person, StaffMembership, StaffRole

MUNICIPALITY_ADMINISTRATOR = "municipality_administrator"


@dataclass(frozen=True)
class MunicipalityAccess:
    """One administrator's access to one municipality, as the policy decided it; every
    query of the municipality's staff takes one, so it reads that municipality only."""

    municipality: Municipality
    membership: StaffMembership

    @property
    def person_id(self) -> int:
        return self.membership.person_id


ACTIVE_ADMINISTRATIONS = (
    select(StaffMembership)
    .join(StaffMembership.municipality)
    .where(StaffMembership.role == StaffRole.ADMINISTRATOR, StaffMembership.ended_at.is_(None))
)


def administration_of(person: Person, number: str) -> MunicipalityAccess | None:
    """This person's active administrator role in the municipality with this number, or None."""
    membership = db.session.scalars(
        ACTIVE_ADMINISTRATIONS.where(StaffMembership.person_id == person.id, Municipality.number == number)
    ).first()
    return MunicipalityAccess(membership.municipality, membership) if membership else None


def administered_municipalities(person: Person) -> list[Municipality]:
    """The municipalities this person administers now, by name."""
    memberships = db.session.scalars(ACTIVE_ADMINISTRATIONS.where(StaffMembership.person_id == person.id)).all()
    return sorted((m.municipality for m in memberships), key=lambda municipality: municipality.name)


def administers_municipality(view):
    """Logged in, and an active administrator of the municipality named by ``number``; else 404.

    The view receives ``access`` (a MunicipalityAccess) instead of ``number``.
    """
    @wraps(view)
    def wrapper(*args, number: str, **kwargs):
        access = administration_of(current_user, number)
        if access is None:
            refuse("not an administrator of the municipality")
        login_sessions.enter_context(current_user, f"municipality:{access.municipality.number}")
        return view(*args, access=access, **kwargs)

    guarded = login_required(wrapper)
    guarded.access_rule = MUNICIPALITY_ADMINISTRATOR
    return guarded
