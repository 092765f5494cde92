"""Municipalities, their coordinating units and their staff (docs/domain.md, Municipalities and their staff)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patient_app.database import Base
from patient_app.models._base import PublicIdMixin, UTCDateTime, utcnow
from patient_app.models.people import Person


class Municipality(Base):
    """A kommune, known by its official four-digit number (e.g. "1103")."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped["CoordinatingUnit | None"] = relationship(back_populates="municipality", lazy="joined")


class CoordinatingUnit(Base):
    """The municipality's koordinerende enhet: how its people reach it."""

    __tablename__ = "coordinating_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")  # where it is, and when visitors are welcome
    opening_hours: Mapped[str] = mapped_column(Text, default="")

    municipality: Mapped[Municipality] = relationship(back_populates="unit")


class StaffRole(enum.StrEnum):
    ADMINISTRATOR = "administrator"
    COORDINATOR = "coordinator"


class StaffMembership(PublicIdMixin, Base):
    """A person's role in a municipality's coordinating unit, from when it was added until it ended.

    Never deleted: the row is the record of who added and ended it, and when.
    """

    __tablename__ = "staff_membership"
    __table_args__ = (UniqueConstraint("municipality_id", "person_id", "role", "added_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[StaffRole] = mapped_column(Enum(StaffRole, native_enum=False, length=20))
    # None: added from the command line (`flask add-administrator`), not by a person in the app.
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    municipality: Mapped[Municipality] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id], lazy="joined")
    added_by: Mapped[Person | None] = relationship(foreign_keys=[added_by_id])
    ended_by: Mapped[Person | None] = relationship(foreign_keys=[ended_by_id])

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
