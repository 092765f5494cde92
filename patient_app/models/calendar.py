"""Private calendar subscriptions: a secret address a phone's calendar polls for meetings.

Only a hash of the token is kept, as with a password: the address is shown once,
when it is made, and can be replaced or withdrawn. The feed belongs to one
membership, so it shows no more than that membership may see, and it stops
the moment the membership (or the grant behind it) ends.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patient_app.database import Base
from patient_app.models._base import PublicIdMixin, UTCDateTime, utcnow
from patient_app.models.memberships import Membership


class CalendarFeed(PublicIdMixin, Base):
    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"), index=True)
    # sha256 hex of the token in the address; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When a fetch of this address last went into the plan's access log
    # (access_log.record_calendar_fetch): the feed has no session to remember it in.
    access_logged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    membership: Mapped[Membership] = relationship()
