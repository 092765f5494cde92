"""Push notifications: VAPID settings, the outbox, the worker that drains it, meeting reminders.

``enqueue`` (outbox.py) is what the rest of the app calls, in the same
transaction as the change it reports. ``flask push-worker`` (worker.py) sends.
"""

from __future__ import annotations

import hashlib

from flask import Flask

from patient_app.notify.vapid import b64url, development_vapid_key, public_key_of

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def init_app(app: Flask) -> None:
    """Make sure there is a VAPID key where one may be made up, and publish its public half."""
    config = app.config
    if not config.get("VAPID_PRIVATE_KEY"):
        if config.get("ENV_NAME") == "development":
            config["VAPID_PRIVATE_KEY"] = development_vapid_key(app.instance_path)
        elif config.get("ENV_NAME") == "testing":
            config["VAPID_PRIVATE_KEY"] = _key_from_secret(config["SECRET_KEY"])
    key = config.get("VAPID_PRIVATE_KEY")
    config["VAPID_PUBLIC_KEY"] = public_key_of(key) if key else ""


def push_is_configured(config) -> bool:
    return bool(config.get("VAPID_PUBLIC_KEY"))


def _key_from_secret(secret: str) -> str:
    """Tests: the same key for every app built from the same settings (they share one database)."""
    scalar = int.from_bytes(hashlib.sha256(("vapid-for-tests:" + secret).encode()).digest(), "big")
    return b64url((scalar % (P256_ORDER - 1) + 1).to_bytes(32, "big"))


def enqueue(*args, **kwargs):
    """Shortcut for ``patient_app.notify.outbox.enqueue``."""
    from patient_app.notify.outbox import enqueue as _enqueue

    return _enqueue(*args, **kwargs)
