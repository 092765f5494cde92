"""The crisis plan (kriseplan): what helps when things get hard, and whom to call."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patient_app.database import Base
from patient_app.models._base import UTCDateTime, utcnow


class CrisisPlan(Base):
    __tablename__ = "crisis_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), unique=True)
    warning_signs: Mapped[str] = mapped_column(Text, default="")
    what_i_can_do: Mapped[str] = mapped_column(Text, default="")
    what_others_can_do: Mapped[str] = mapped_column(Text, default="")
    practical_matters: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    contacts: Mapped[list["CrisisContact"]] = relationship(
        order_by="CrisisContact.position", lazy="selectin"
    )


class CrisisContact(Base):
    """Whom to call, in the order the patient chose."""

    __tablename__ = "crisis_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    crisis_plan_id: Mapped[int] = mapped_column(ForeignKey("crisis_plan.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40))
    when_to_call: Mapped[str] = mapped_column(String(300), default="")
