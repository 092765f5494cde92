"""VAPID keys (RFC 8292): our identity towards the browsers' push services.

The private key is a P-256 key, kept as the base64url of its 32 raw bytes
(what ``flask vapid-keys`` prints and ``VAPID_PRIVATE_KEY`` holds). The public
key, derived from it, is the page's ``applicationServerKey``.
"""

from __future__ import annotations

import base64
import json
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_private_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def load(private_key: str) -> Vapid02:
    """The signer pywebpush takes; raises ValueError for a key that is not a P-256 private key."""
    raw = b64url_decode(private_key.strip())
    if len(raw) != 32:
        raise ValueError("VAPID_PRIVATE_KEY must be the base64url of 32 bytes (run `flask vapid-keys`)")
    return Vapid02.from_raw(private_key.strip().encode())


def public_key_of(private_key: str) -> str:
    """The uncompressed public point, base64url: what PushManager.subscribe wants."""
    point = load(private_key).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def development_vapid_key(instance_path: str) -> str:
    """On a developer's machine: a VAPID key generated once and kept in instance/."""
    path = os.path.join(instance_path, "dev-vapid.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)["VAPID_PRIVATE_KEY"]
    key = generate_private_key()
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
        json.dump({"VAPID_PRIVATE_KEY": key}, handle)
    return key
