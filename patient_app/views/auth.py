"""Logging in with ID-porten and logging out again."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timezone
from urllib.parse import urlencode

from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from requests import RequestException

from patient_app import login_sessions
from patient_app.access import accessible_plans, public, signed_in, today_in_oslo
from patient_app.auth import LoginRefused, identity_provider, person_for_pid, seal, unseal, verified_claims
from patient_app.extensions import db
from patient_app.i18n import locale_from_id_porten
from patient_app.models import hash_pid
from patient_app.models._base import utcnow
from patient_app.population_register import refresh_from_register
from patient_app.sharing import follow_register_guardianships, turned_16_and_not_yet_told
from patient_app.rate_limits import CALLBACK, LOGIN, LOGIN_PERSON, count_or_refuse, limited
from patient_app.views.settings import safe_return_path

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


@bp.get("/")
@public
def start():
    if current_user.is_authenticated:
        return redirect(url_for("overview.choose_plan"))
    return render_template("views/auth/login.html")


@bp.get("/login")
@public
def login():
    return render_template("views/auth/login.html")


@bp.post("/login")
@public
@limited(LOGIN)
def begin_login():
    redirect_uri = url_for("auth.callback", _external=True)
    return identity_provider().authorize_redirect(
        redirect_uri,
        acr_values=current_app.config["OIDC_ACR_VALUES"],
        ui_locales=session.get("locale", "nb"),
    )


@bp.get("/login/callback")
@public
@limited(CALLBACK)
def callback():
    if "error" in request.args:
        # The person cancelled at the provider: back to the start, no fuss.
        return redirect(url_for("auth.login"))
    try:
        token = identity_provider().authorize_access_token()
        claims = verified_claims(token, request.args.get("iss"))
    except (AuthlibBaseError, LoginRefused, RequestException, ValueError, KeyError) as error:
        log.warning("login refused: %s", type(error).__name__ if not isinstance(error, LoginRefused) else error)
        return render_template("views/auth/login-failed.html"), 400

    count_or_refuse(LOGIN_PERSON, hash_pid(claims["pid"], current_app.config["PID_HASH_KEY"]))
    person = person_for_pid(claims["pid"])
    chosen_locale = session.get("locale")
    login_sessions.end_replaced(session.get(login_sessions.SESSION_KEY))
    start_fresh_session(token["id_token"], claims)
    if chosen_locale:
        session["locale"] = chosen_locale
    if person is None:
        session["unknown_login"] = True
        return redirect(url_for("auth.no_plan"))

    registered = refresh_from_register(person, claims["pid"])
    if registered is not None:  # a register that is down changes no one's access
        follow_register_guardianships(person, registered.parental_responsibility_for)
    login_user(person)
    login_sessions.begin(person, request.headers.get("User-Agent", ""), provider_sid=claims.get("sid"))
    person.last_login_at = utcnow()
    if turned_16_and_not_yet_told(person, today_in_oslo()):
        flash(_("Du har fylt 16 år. Nå er det bare du som bestemmer hvem som kan se planen din. "
                "De foresatte dine ser den ikke lenger."))
        person.told_plan_is_theirs_at = utcnow()
    if not person.preferred_locale:
        person.preferred_locale = locale_from_id_porten(claims.get("locale"))
    db.session.commit()
    session.setdefault("locale", person.preferred_locale)
    log.info("login ok", extra={"person": str(person.public_id)})
    return redirect(url_for("overview.choose_plan"))


def start_fresh_session(id_token: str, claims: dict) -> None:
    """A new session at login, so nothing from before it survives (session fixation)."""
    session.clear()
    session["signed_in_at"] = datetime.now(timezone.utc).timestamp()
    session["id_token_hint"] = seal(id_token)


@bp.get("/no-plan")
@public
def no_plan():
    if current_user.is_authenticated and accessible_plans(current_user):
        return redirect(url_for("overview.choose_plan"))
    if not (current_user.is_authenticated or session.get("unknown_login")):
        return redirect(url_for("auth.login"))
    return render_template("views/auth/no-plan.html")


@bp.post("/logout")
@public
def logout():
    if current_user.is_authenticated:
        login_sessions.end_current()
    return signed_out_here()


@bp.post("/logout-everywhere")
@signed_in
def logout_everywhere():
    """Every session of the person ends, this one too; the others notice at their next request."""
    login_sessions.end_all(current_user)
    return signed_out_here()


def signed_out_here():
    id_token = unseal(session.get("id_token_hint"))
    logout_user()
    session.clear()
    response = redirect(end_session_url(id_token))
    # Clear what the browser holds about this person: cookies, caches, storage.
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.post("/keep-alive")
@signed_in
def keep_alive():
    """"Fortsett å være innlogget": a real request, so the idle timeout starts again.

    The idle warning's script expects 204; without JavaScript the warning is
    never shown, but the form still works and leads back to the page.
    """
    session.modified = True  # a new cookie, so the idle timeout starts again
    if request.headers.get("X-Requested-With") == "fetch":
        return "", 204
    return redirect(safe_return_path(request.form.get("next")))


def end_session_url(id_token: str | None) -> str:
    if not id_token:  # nothing to end at the provider: no need to ask it anything
        return url_for("auth.logged_out")
    endpoint = identity_provider().load_server_metadata().get("end_session_endpoint")
    if not endpoint:
        return url_for("auth.logged_out")
    query = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": url_for("auth.logged_out", _external=True),
        "state": secrets.token_urlsafe(16),
    }
    return endpoint + "?" + urlencode(query)


@bp.get("/logged-out")
@public
def logged_out():
    return render_template("views/auth/logged-out.html")
