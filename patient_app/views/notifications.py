"""Settings, "Varsler": push notifications on this device, the person's devices, and what to be told about.

Turning notifications on for a device needs JavaScript (the browser's push
subscription); choosing categories and removing a lost phone are plain forms.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.hazmat.primitives.asymmetric import ec
from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import delete, select

from patient_app.access import signed_in
from patient_app.device_labels import device_label
from patient_app.extensions import db
from patient_app.models import NotificationCategory, PushSubscription
from patient_app.notify import push_is_configured
from patient_app.notify.endpoints import EndpointRefused, PushEndpoint, parse_endpoint
from patient_app.notify.outbox import available_categories, chosen_categories, save_choices

bp = Blueprint("notifications", __name__)

CATEGORY_LABELS = {
    NotificationCategory.MESSAGES: (_l("Nye meldinger"), _l("Når noen har skrevet til deg.")),
    NotificationCategory.MINUTES: (_l("Nye referater"), _l("Når referatet fra et møte er klart.")),
    NotificationCategory.CALENDAR: (_l("Møter"), _l("Når et møte blir lagt inn, flyttet eller avlyst.")),
    NotificationCategory.REMINDERS: (_l("Påminnelser om møter"), _l("En uke før og dagen før et møte.")),
}
MAX_DEVICES_PER_PERSON = 10


@bp.get("/settings/notifications")
@signed_in
def index():
    offered = available_categories(current_user)
    devices = db.session.scalars(
        select(PushSubscription)
        .where(PushSubscription.person_id == current_user.id)
        .order_by(PushSubscription.created_at)
    ).all()
    return render_template(
        "views/settings/notifications.html",
        offered=offered,
        chosen=chosen_categories(db.session, current_user),
        labels=CATEGORY_LABELS,
        all_offered=len(offered) == len(NotificationCategory),
        devices=devices,
        endpoint_hash=endpoint_hash,
        push_ready=push_is_configured(current_app.config),
        public_key=current_app.config.get("VAPID_PUBLIC_KEY", ""),
    )


@bp.post("/settings/notifications")
@signed_in
def save():
    offered = available_categories(current_user)
    wanted = {c for c in offered if c.value in request.form.getlist("category")}
    save_choices(db.session, current_user, wanted, offered)
    db.session.commit()
    flash(_("Valgene dine er lagret."))
    return redirect(url_for("notifications.index"))


@bp.post("/settings/notifications/devices")
@signed_in
def add_device():
    """JSON from push.js: the browser's PushSubscription (and the one it replaces, if any)."""
    data = _json_object()
    problem, subscription = _valid_subscription(data.get("subscription"))
    if problem:
        return jsonify(error=problem), 400
    replaces = _acceptable_endpoint(data.get("replaces"))
    if replaces and replaces != subscription["endpoint"]:
        _remove_own(replaces)
    row = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == subscription["endpoint"]))
    if row is None:
        row = PushSubscription(endpoint=subscription["endpoint"])
        db.session.add(row)
    # The endpoint belongs to this browser; whoever subscribes it now is the one it notifies.
    row.person_id = current_user.id
    row.p256dh = subscription["p256dh"]
    row.auth = subscription["auth"]
    row.device_label = device_label(request.headers.get("User-Agent", ""))
    db.session.flush()
    _keep_newest_devices(current_user.id)
    db.session.commit()
    return jsonify(device=str(row.public_id), endpointHash=endpoint_hash(row.endpoint)), 201


@bp.post("/settings/notifications/devices/this-device/remove")
@signed_in
def remove_this_device():
    """JSON from push.js after the browser has unsubscribed."""
    endpoint = _acceptable_endpoint(_json_object().get("endpoint"))
    if endpoint is None:
        return jsonify(error=_("Fant ikke denne enheten blant enhetene dine.")), 400
    _remove_own(endpoint)
    db.session.commit()
    return "", 204


@bp.post("/settings/notifications/devices/<uuid:device_id>/remove")
@signed_in
def remove_device(device_id):
    """A plain form: stop notifying a phone that is lost or given away."""
    db.session.execute(
        delete(PushSubscription).where(
            PushSubscription.public_id == device_id, PushSubscription.person_id == current_user.id
        )
    )
    db.session.commit()
    flash(_("Enheten får ikke flere varsler."))
    return redirect(url_for("notifications.index"))


def _acceptable_endpoint(value) -> str | None:
    """An endpoint as the parser accepts it, the only kind ever stored; None for anything else
    (PostgreSQL cannot even compare text with a NUL in it)."""
    try:
        return _parse_endpoint(value).url
    except EndpointRefused:
        return None


def _parse_endpoint(value) -> PushEndpoint:
    return parse_endpoint(value, current_app.config["PUSH_ENDPOINT_HOSTS"],
                          current_app.config.get("PUSH_ALLOW_LOCAL_ENDPOINTS", False))


def _json_object() -> dict:
    """The JSON object push.js sent, or {} for anything else: a list, malformed JSON, or JSON nested
    deeper than the parser goes (its RecursionError would otherwise be a 500)."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        return {}
    return data if isinstance(data, dict) else {}


def _remove_own(endpoint: str) -> None:
    db.session.execute(
        delete(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.person_id == current_user.id
        )
    )


def _keep_newest_devices(person_id: int) -> None:
    old = db.session.scalars(
        select(PushSubscription.id)
        .where(PushSubscription.person_id == person_id)
        .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
        .offset(MAX_DEVICES_PER_PERSON)
    ).all()
    if old:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(old)))


ENDPOINT_REFUSED = _l("Varsler kan ikke slås på for denne nettleseren: adressen den ga, er ikke en kjent varseltjeneste.")
SUBSCRIPTION_INVALID = _l("Varsler kan ikke slås på for denne nettleseren: den sendte et ufullstendig eller ugyldig "
                          "abonnement.")


def _valid_subscription(value) -> tuple[str | None, dict]:
    """Check what the browser sent, and that the worker may post to it (no SSRF through a forged one)."""
    if not isinstance(value, dict) or not isinstance(value.get("keys"), dict):
        return str(SUBSCRIPTION_INVALID), {}
    try:
        endpoint = _parse_endpoint(value.get("endpoint"))
    except EndpointRefused:
        return str(ENDPOINT_REFUSED), {}
    keys = value["keys"]
    try:
        p256dh = _b64url(keys.get("p256dh"))
        auth = _b64url(keys.get("auth"))
    except (TypeError, ValueError, binascii.Error):
        return str(SUBSCRIPTION_INVALID), {}
    if len(auth) != 16 or not _is_p256_point(p256dh):
        return str(SUBSCRIPTION_INVALID), {}
    return None, {"endpoint": endpoint.url, "p256dh": keys["p256dh"], "auth": keys["auth"]}


def _is_p256_point(key: bytes) -> bool:
    """The browser's public key, uncompressed (65 bytes); a point off the curve would fail every encryption."""
    if len(key) != 65 or key[0] != 4:
        return False
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key)
    except ValueError:
        return False
    return True


def _b64url(text) -> bytes:
    if not isinstance(text, str) or len(text) > 200:
        raise ValueError("not a key")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def endpoint_hash(endpoint: str) -> str:
    """Lets push.js tell which listed device is this one, without the endpoint in the page."""
    return hashlib.sha256(endpoint.encode()).hexdigest()[:16]
