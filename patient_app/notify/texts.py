"""What a notification says: neutral texts, in the person's language, chosen when it is sent.

A lock screen is not private. These texts never carry health details, names,
subjects or message text; the page behind the notification shows the rest
after login.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale, gettext as _, ngettext

from patient_app.times import OSLO
from patient_app.models import NotificationKind



def notification_text(kind: NotificationKind, locale: str | None, meeting_starts_at: dt.datetime | None = None,
                      now: dt.datetime | None = None) -> dict:
    """Title and body for one notification, already translated."""
    with force_locale(locale or "nb"):
        return {"title": _("Min plan"), "body": _body(kind, meeting_starts_at, now)}


def _body(kind: NotificationKind, starts_at: dt.datetime | None, now: dt.datetime | None) -> str:
    if kind is NotificationKind.MESSAGE:
        return _("Du har en ny melding i Min plan.")
    if kind is NotificationKind.MINUTES:
        return _("Det er kommet et nytt referat i Min plan.")
    if kind is NotificationKind.MEETING_CREATED:
        return _("Du er invitert til et nytt møte. Se Min plan.")
    if kind is NotificationKind.MEETING_MOVED:
        return _("Et møte er flyttet. Se Min plan.")
    if kind is NotificationKind.MEETING_CANCELLED:
        return _("Et møte er avlyst. Se Min plan.")
    days = days_until(starts_at, now) if starts_at else None
    if days is None:
        return _("Påminnelse: Du har snart et møte. Se Min plan.")
    if days <= 0:
        return _("Påminnelse: Du har et møte i dag. Se Min plan.")
    if days == 1:
        return _("Påminnelse: Du har et møte i morgen. Se Min plan.")
    return ngettext(
        "Påminnelse: Du har et møte om %(num)d dag. Se Min plan.",
        "Påminnelse: Du har et møte om %(num)d dager. Se Min plan.",
        days,
    )


def days_until(starts_at: dt.datetime, now: dt.datetime | None = None) -> int:
    """Calendar days in Oslo between now and the meeting: tomorrow is 1 whatever the hour."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return (starts_at.astimezone(OSLO).date() - now.astimezone(OSLO).date()).days
