"""Template helpers: dates in Europe/Oslo written out, and the plan's navigation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, get_locale, lazy_gettext as _l

from patient_app.access import Part, PlanAccess

# Dates are written out in full ("tirsdag 3. desember kl. 10.00"): easier to
# read and to hear from a screen reader than 03.12.
DATE_FORMATS = {
    "nb": ("EEEE d. MMMM y", "EEEE d. MMMM 'kl.' HH.mm", "HH.mm"),
    "nn": ("EEEE d. MMMM y", "EEEE d. MMMM 'kl.' HH.mm", "HH.mm"),
    "en": ("EEEE d MMMM y", "EEEE d MMMM 'at' HH:mm", "HH:mm"),
}


def _formats() -> tuple[str, str, str]:
    return DATE_FORMATS.get(str(get_locale()), DATE_FORMATS["nb"])


def long_date(value: dt.date | None) -> str:
    return format_date(value, _formats()[0]) if value else ""


def long_datetime(value: dt.datetime | None) -> str:
    return format_datetime(value, _formats()[1]) if value else ""


def clock(value: dt.datetime | None) -> str:
    return format_datetime(value, _formats()[2]) if value else ""


def iso(value) -> str:
    """For <time datetime>: HTML allows at most three digits of a second's fraction, and
    Python writes six, so datetimes are cut to whole seconds (no reader needs less)."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    part: Part

    def url(self, access: PlanAccess) -> str:
        return url_for(self.endpoint, plan_id=access.plan.public_id)

    def is_current(self) -> bool:
        return request.endpoint == self.endpoint


NAVIGATION = (
    NavItem("overview.show", _l("Oversikt"), Part.OVERVIEW),
    NavItem("crisis.show", _l("Kriseplan"), Part.CRISIS_PLAN),
    NavItem("plan.goals", _l("Mål"), Part.GOALS),
    NavItem("plan.measures", _l("Tiltak"), Part.MEASURES),
    NavItem("plan.decisions", _l("Vedtak"), Part.DECISIONS),
    NavItem("meetings.index", _l("Møter"), Part.MEETINGS),
    NavItem("contacts.index", _l("Kontakter"), Part.CONTACTS),
    NavItem("messages.index", _l("Meldinger"), Part.MESSAGES),
    NavItem("plan.about_this_plan", _l("Om planen"), Part.CONSENT),
)


def plan_navigation(access: PlanAccess | None) -> list[NavItem]:
    """Only the pages this person may open; the policy decides, not the template."""
    if access is None:
        return []
    return [item for item in NAVIGATION if access.may_view(item.part)]


def coordinator_link(access: PlanAccess | None = None) -> tuple[str, str] | None:
    """(label, url) into the coordinator's workspace for people who coordinate; the policy decides.

    On a plan this person coordinates, the link goes straight to editing it. On
    pages without a plan (choosing a plan, the workspace itself) it goes to the
    list of plans; plan pages of other people's roles pay no query for it.
    """
    from flask_login import current_user

    from patient_app.access import coordinated_plans

    if access is not None:
        if access.writes_as_coordinator:
            return _l("Endre planen"), url_for("coordinator.plan", plan_id=access.plan.public_id)
        return None
    if not getattr(current_user, "is_authenticated", False) or not coordinated_plans(current_user):
        return None
    return _l("Planene jeg koordinerer"), url_for("coordinator.index")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(long_date=long_date, long_datetime=long_datetime, clock=clock, iso=iso)
    app.jinja_env.globals.update(plan_navigation=plan_navigation, coordinator_link=coordinator_link)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from patient_app.i18n import LANGUAGE_NAMES

    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
