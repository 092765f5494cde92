"""What the patient proposes for their own plan, until the coordinator approves or declines it.

The coordinator approves what others propose (docs/domain.md, Proposals).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Boolean, Enum, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patient_app.database import Base
from patient_app.models._base import PublicIdMixin, UTCDateTime, utcnow
from patient_app.models.memberships import Role
from patient_app.models.people import Person


class ProposalKind(enum.StrEnum):
    NEW_GOAL = "new_goal"
    CHANGE = "change"
    COMMENT = "comment"


class ProposalStatus(enum.StrEnum):
    WAITING = "waiting"
    APPROVED = "approved"
    DECLINED = "declined"


class Proposal(PublicIdMixin, Base):
    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    kind: Mapped[ProposalKind] = mapped_column(Enum(ProposalKind, native_enum=False, length=20))
    # The goal or measure a change or comment is about (none for a new goal).
    target_type: Mapped[str] = mapped_column(String(20), default="")
    target_public_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    target_label: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    proposed_role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[ProposalStatus] = mapped_column(
        Enum(ProposalStatus, native_enum=False, length=20), default=ProposalStatus.WAITING, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Why it was declined (required), or a note with the approval.
    reason: Mapped[str] = mapped_column(Text, default="")
    # The goal an approved proposal became.
    result_public_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # Follows the item it is about, for a child of 12–15.
    hidden_from_guardians: Mapped[bool] = mapped_column(Boolean, default=False)

    proposed_by: Mapped[Person] = relationship(foreign_keys=[proposed_by_id], lazy="joined")
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")

    @property
    def is_waiting(self) -> bool:
        return self.status is ProposalStatus.WAITING
