"""The person's own settings: language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request, session, url_for
from flask_login import current_user

from patient_app.access import public
from patient_app.extensions import db

bp = Blueprint("settings", __name__)


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
