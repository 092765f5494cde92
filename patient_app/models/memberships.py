"""Who belongs to which plan, in which role, and what a relative was granted."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patient_app.database import Base
from patient_app.models._base import PublicIdMixin, UTCDateTime, utcnow
from patient_app.models.people import Person
from patient_app.models.plans import Plan


class Role(enum.StrEnum):
    OWNER = "owner"
    GUARDIAN = "guardian"
    RELATIVE = "relative"
    COORDINATOR = "coordinator"


class Scope(enum.StrEnum):
    """What a relative may see; the patient chooses."""

    MEETINGS_AND_CONTACTS = "meetings_and_contacts"
    WHOLE_PLAN = "whole_plan"
    MESSAGES = "messages"


class Membership(PublicIdMixin, Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("plan_id", "person_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    # Space-separated Scope values; only relatives have scopes.
    scopes: Mapped[str] = mapped_column(String(200), default="")
    valid_until: Mapped[dt.date | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship(lazy="joined")
    person: Mapped[Person] = relationship(lazy="joined")

    @property
    def scope_set(self) -> frozenset[Scope]:
        return frozenset(Scope(s) for s in self.scopes.split() if s)


class GrantAction(enum.StrEnum):
    GRANTED = "granted"
    CHANGED = "changed"
    WITHDRAWN = "withdrawn"


class GrantEvent(Base):
    """A consent event: the patient gave, changed or withdrew a relative's access."""

    __tablename__ = "grant_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    action: Mapped[GrantAction] = mapped_column(Enum(GrantAction, native_enum=False, length=20))
    scopes: Mapped[str] = mapped_column(String(200), default="")
    valid_until: Mapped[dt.date | None] = mapped_column()
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[Person] = relationship()
    membership: Mapped[Membership] = relationship()


class AccessLogEntry(Base):
    """Someone other than the patient looked at a part of the plan.

    One insert per request, in the view's own transaction; read by the patient
    on "Hvem har sett planen".
    """

    __tablename__ = "access_log_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    viewer_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    part: Mapped[str] = mapped_column(String(30))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    viewer: Mapped[Person] = relationship()
