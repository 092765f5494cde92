"""Norway's time zone, once: times are stored in UTC and shown, and days counted, in Oslo."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def today_in_oslo() -> dt.date:
    return dt.datetime.now(OSLO).date()
