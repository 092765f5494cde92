"""The person's own settings, one journey: the settings page (what this phone keeps, calendar
addresses, where the person is logged in), the language, and logging out on other devices."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from patient_app import login_sessions
from patient_app.access import Part, accessible_plans, public, signed_in
from patient_app.extensions import db
from patient_app.views.pwa import offline_keeping

bp = Blueprint("settings", __name__)


@bp.get("/settings")
@signed_in
def index():
    accesses = accessible_plans(current_user)
    keepable = [kept for kept in (offline_keeping(access) for access in accesses) if kept]
    calendars = [access for access in accesses if access.may_view(Part.CALENDAR)]
    return render_template(
        "views/settings/index.html", keepable=keepable, calendars=calendars,
        login_sessions=login_sessions.active_for(current_user), this_session=login_sessions.current(),
    )


@bp.post("/sessions/end-others")
@signed_in
def end_other_sessions():
    ended = login_sessions.end_others(current_user)
    flash(ngettext("Du er logget ut på %(num)d annen enhet.", "Du er logget ut på %(num)d andre enheter.", ended)
          if ended else _("Du var ikke logget inn på andre enheter."))
    return redirect(url_for("settings.index") + "#login-sessions-heading")


@bp.post("/language")
@public
def change_language():
    chosen = request.form.get("language", "")
    if chosen in current_app.config["LANGUAGES"]:
        session["locale"] = chosen
        if current_user.is_authenticated:
            current_user.preferred_locale = chosen
            db.session.commit()
    return redirect(safe_return_path(request.form.get("next")))


def safe_return_path(candidate: str | None) -> str:
    """Only a path on this site, never another host (no open redirect)."""
    if not candidate:
        return url_for("auth.start")
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or not candidate.startswith("/") or candidate.startswith("//"):
        return url_for("auth.start")
    return candidate
