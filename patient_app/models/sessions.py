"""Signed-in sessions kept on the server, so a person can see and end them everywhere.

The cookie carries only the session's public id; a request whose session row
is missing or ended is treated as signed out.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patient_app.database import Base
from patient_app.models._base import PublicIdMixin, UTCDateTime, utcnow
from patient_app.models.people import Person


class LoginSession(PublicIdMixin, Base):
    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    # A short, non-identifying description such as "Chromium på Android".
    device_label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # What this login has done, kept here and not in the signed cookie, which grew with every
    # plan opened until the browser dropped it (login_sessions.remember). Per plan: the newest
    # change seen before this login (whats_new.py); per plan part: when a view of it was last
    # written to the access log (access_log.record_view).
    seen_before: Mapped[dict | None] = mapped_column(JSON)
    views_logged: Mapped[dict | None] = mapped_column(JSON)
    # SHA-256 of the provider's session id (the id_token's sid): front- and back-channel
    # logout name that session, and every row of it ends. Hashed, as it needs only matching.
    provider_sid_hash: Mapped[str | None] = mapped_column(String(64), index=True)

    person: Mapped[Person] = relationship()


class SeenLogoutToken(Base):
    """A back-channel logout token's jti, kept until the token expires, so a replay is refused."""

    __tablename__ = "seen_logout_token"

    jti_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
