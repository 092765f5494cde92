"""Messages between the people of a plan and its coordinator, in threads with a subject."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patient_app.database import Base
from patient_app.models._base import PublicIdMixin, UTCDateTime, utcnow
from patient_app.models.memberships import Role
from patient_app.models.people import Person

SUBJECT_MAX_LENGTH = 120
# Long enough for a careful letter, short enough to read on a phone; the form says so.
MESSAGE_MAX_LENGTH = 5000


class MessageThread(PublicIdMixin, Base):
    """A conversation with a subject. Only the coordinator closes (or reopens) one."""

    __tablename__ = "message_thread"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX_LENGTH))
    started_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # A child of 12–15 may ask that a conversation is kept from their guardians.
    hidden_from_guardians: Mapped[bool] = mapped_column(Boolean, default=False)

    started_by: Mapped[Person] = relationship(foreign_keys=[started_by_id], lazy="joined")
    messages: Mapped[list["Message"]] = relationship(back_populates="thread", order_by="Message.id")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Message(PublicIdMixin, Base):
    """One message, stored exactly as typed (line endings aside) and escaped when shown.

    ``idempotency_key`` comes from a hidden field filled when the form was
    rendered: a double tap or a retry of the same form stores one message.
    """

    __tablename__ = "message"
    __table_args__ = (UniqueConstraint("author_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # The role the author wrote in, kept as it was then: a grant may end later.
    author_role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    idempotency_key: Mapped[uuid.UUID] = mapped_column(Uuid)
    # When a coordinator of the plan first saw it; shown to the sender.
    coordinator_read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    thread: Mapped[MessageThread] = relationship(back_populates="messages")
    author: Mapped[Person] = relationship(lazy="joined")


class ThreadReadMark(Base):
    """How far each person has read a thread: unread is everything after this message."""

    __tablename__ = "message_thread_read"

    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True, index=True)
    last_read_message_id: Mapped[int] = mapped_column(Integer, default=0)
    read_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
