"""Responsibility-group meetings, who is invited, and their minutes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patient_app.database import Base
from patient_app.models._base import PublicIdMixin, UTCDateTime
from patient_app.models.plans import Participant, PlanItemMixin

meeting_invitee = Table(
    "meeting_invitee",
    Base.metadata,
    Column("meeting_id", ForeignKey("meeting.id"), primary_key=True),
    Column("participant_id", ForeignKey("participant.id"), primary_key=True),
)


class Meeting(PlanItemMixin, Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(300), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)

    invitees: Mapped[list[Participant]] = relationship(secondary=meeting_invitee, order_by=Participant.position)
    minutes: Mapped["Minutes | None"] = relationship(back_populates="meeting", uselist=False)


class Minutes(PublicIdMixin, Base):
    """Referat: written as a draft by the coordinator, shown to the patient once published."""

    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), unique=True)
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="minutes")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
