"""Push notifications: each person's devices, what they want to be told, the outbox, sent reminders.

Nothing here holds health details. A notification says what kind of thing
happened ("a new message"); the text is chosen in the person's language when
it is sent, and the page it opens checks access like any other request.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patient_app.database import Base
from patient_app.models._base import PublicIdMixin, UTCDateTime, utcnow
from patient_app.models.people import Person


class NotificationCategory(enum.StrEnum):
    """What a person chooses to be told about (docs/domain.md, Notifications)."""

    MESSAGES = "messages"
    MINUTES = "minutes"
    CALENDAR = "calendar"  # a meeting created, moved or cancelled
    REMINDERS = "reminders"  # about a week and a day before a meeting


class NotificationKind(enum.StrEnum):
    """What happened. Each kind belongs to one category and has one neutral text."""

    MESSAGE = "message"
    MINUTES = "minutes"
    MEETING_CREATED = "meeting_created"
    MEETING_MOVED = "meeting_moved"
    MEETING_CANCELLED = "meeting_cancelled"
    REMINDER_WEEK = "reminder_week"
    REMINDER_DAY = "reminder_day"

    @property
    def category(self) -> NotificationCategory:
        return KIND_CATEGORY[self]

    @property
    def is_reminder(self) -> bool:
        return self in (NotificationKind.REMINDER_WEEK, NotificationKind.REMINDER_DAY)


KIND_CATEGORY = {
    NotificationKind.MESSAGE: NotificationCategory.MESSAGES,
    NotificationKind.MINUTES: NotificationCategory.MINUTES,
    NotificationKind.MEETING_CREATED: NotificationCategory.CALENDAR,
    NotificationKind.MEETING_MOVED: NotificationCategory.CALENDAR,
    NotificationKind.MEETING_CANCELLED: NotificationCategory.CALENDAR,
    NotificationKind.REMINDER_WEEK: NotificationCategory.REMINDERS,
    NotificationKind.REMINDER_DAY: NotificationCategory.REMINDERS,
}


class PushSubscription(PublicIdMixin, Base):
    """One device (browser) of one person that may receive push messages.

    The endpoint is a capability URL at the browser's push service; it is
    unique, so a device that a second person subscribes moves to that person.
    """

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    # A short description of the device for the list on "Varsler" ("Chrome på Android").
    device_label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()

    def as_webpush_info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class NotificationPreference(Base):
    """A person's choice for one category; no row means on."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("person_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    category: Mapped[NotificationCategory] = mapped_column(Enum(NotificationCategory, native_enum=False, length=20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class OutboxItem(Base):
    """One notification for one device, written in the same transaction as the event.

    The push worker claims rows (``claimed_by`` and a lease in ``claimed_until``),
    sends them, and deletes them; a failed send moves ``due_at`` forward.
    """

    __tablename__ = "notification_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("push_subscription.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(Enum(NotificationKind, native_enum=False, length=30))
    # Where tapping the notification leads: a path on this site, never a full URL.
    url: Mapped[str] = mapped_column(String(500))
    # Reminders only: the meeting, so the worker can say "in 3 days" and drop it if cancelled.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64), index=True)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    subscription: Mapped[PushSubscription] = relationship()


class SentReminder(Base):
    """A reminder went out (to the outbox): once per meeting, person and kind, whatever happens."""

    __tablename__ = "sent_reminder"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(Enum(NotificationKind, native_enum=False, length=30))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
