"""Every change to a plan: who, what, when, the old and the new value."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patient_app.database import Base
from patient_app.models._base import UTCDateTime, utcnow
from patient_app.models.people import Person


class PlanChange(Base):
    """One changed field of one item, or an item created, published or cancelled.

    Values are kept as text in a stable form (dates as ISO, choices by their
    code), with ``kind`` saying how to show them, so the history reads the same
    after the item changes again or is gone.
    """

    __tablename__ = "plan_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    item_type: Mapped[str] = mapped_column(String(30))
    item_public_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    item_label: Mapped[str] = mapped_column(String(300), default="")
    action: Mapped[str] = mapped_column(String(20))  # created, updated, published, …
    field: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[str] = mapped_column(String(20), default="text")
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    # Follows the item: a change to something kept from guardians is kept from them too.
    hidden_from_guardians: Mapped[bool] = mapped_column(Boolean, default=False)

    changed_by: Mapped[Person | None] = relationship(lazy="joined")


class PlanVisit(Base):
    """How much of the plan's history a person had seen, for "new since last time".

    ``last_seen_change_id`` moves to the newest change once per session, at the
    first visit; the session keeps the mark from before, so what was new stays
    marked until the person logs in again.
    """

    __tablename__ = "plan_visit"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), primary_key=True, index=True)
    last_seen_change_id: Mapped[int] = mapped_column(default=0)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
