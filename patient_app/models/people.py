"""People: anyone who logs in or is named in a plan."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from flask_login import UserMixin
from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from patient_app.database import Base
from patient_app.models._base import PublicIdMixin, UTCDateTime


def hash_pid(pid: str, key: str) -> str:
    """Keyed hash of a national identity number: we match logins, never store the number."""
    return hmac.new(key.encode(), pid.encode(), hashlib.sha256).hexdigest()


class Person(PublicIdMixin, UserMixin, Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    pid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    preferred_locale: Mapped[str | None] = mapped_column(String(5))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When a young person was told, at a login after turning 16, that only they now decide
    # who sees their plan: they are told once.
    told_plan_is_theirs_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def get_id(self) -> str:  # Flask-Login keeps the opaque id in the session
        return str(self.public_id)

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def first_name(self) -> str:
        return self.name.split(" ")[0]
