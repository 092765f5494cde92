"""The plan and what it holds by law (forskrift om individuell plan; docs/domain.md, The plan and what it holds, a–i)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patient_app.database import Base
from patient_app.models._base import PublicIdMixin, UTCDateTime, utcnow
from patient_app.models.municipalities import Municipality
from patient_app.models.people import Person


class Plan(PublicIdMixin, Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # The municipality whose coordinating unit answers for the plan; None for plans made
    # before municipalities were recorded (docs/domain.md, Municipalities and their staff).
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    # a) goals live in Goal; strengths and needs in the person's own words
    strengths: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    # d) what each party contributes
    own_contribution: Mapped[str] = mapped_column(Text, default="")
    relatives_contribution: Mapped[str] = mapped_column(Text, default="")
    # i) cooperation with other services; language and culture
    cooperation: Mapped[str] = mapped_column(Text, default="")
    language_and_culture: Mapped[str] = mapped_column(Text, default="")
    # g) plan period and review
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    next_review: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[Person] = relationship(lazy="joined")
    municipality: Mapped["Municipality | None"] = relationship()


class GoalStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    REACHED = "reached"
    PAUSED = "paused"


class PlanItemMixin(PublicIdMixin):
    """Parts of a plan a child of 12–15 may ask to keep from their guardians."""

    hidden_from_guardians: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Goal(PlanItemMixin, Base):
    __tablename__ = "goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[GoalStatus] = mapped_column(
        Enum(GoalStatus, native_enum=False, length=20), default=GoalStatus.NOT_STARTED
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class Measure(PlanItemMixin, Base):
    """Tiltak: what will be done, how much, how, by whom, from when to when (e, f)."""

    __tablename__ = "measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    extent: Mapped[str] = mapped_column(String(300), default="")
    how: Mapped[str] = mapped_column(Text, default="")
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), index=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)

    goal: Mapped[Goal | None] = relationship()
    responsible: Mapped["Participant | None"] = relationship()

    def is_current(self, today: dt.date) -> bool:
        started = self.start_date is None or self.start_date <= today
        not_ended = self.end_date is None or self.end_date >= today
        return started and not_ended


class DecisionStatus(enum.StrEnum):
    APPLIED = "applied"
    GRANTED = "granted"
    DECLINED = "declined"
    APPEALED = "appealed"


class ServiceDecision(PlanItemMixin, Base):
    """Vedtak: a decision granting (or refusing) a service, with its deadlines."""

    __tablename__ = "service_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    service: Mapped[str] = mapped_column(String(300))
    decided_by: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[DecisionStatus] = mapped_column(
        Enum(DecisionStatus, native_enum=False, length=20), default=DecisionStatus.APPLIED
    )
    extent: Mapped[str] = mapped_column(String(300), default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    answer_due: Mapped[dt.date | None] = mapped_column(Date)
    appeal_deadline: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class Participant(PublicIdMixin, Base):
    """Someone in the responsibility group (ansvarsgruppe), or another contact.

    Each chooses which of their phone and e-mail the others may see (docs/domain.md, Who sees what).
    """

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role_title: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    show_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    show_email: Mapped[bool] = mapped_column(Boolean, default=False)
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    in_responsibility_group: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def visible_phone(self) -> str:
        return self.phone if self.show_phone else ""

    @property
    def visible_email(self) -> str:
        return self.email if self.show_email else ""


class Consent(Base):
    """h) consent to the plan and to sharing with the participants."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4, unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # "plan" or "sharing"
    text: Mapped[str] = mapped_column(Text)
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
