"""A fake Web Push service on 127.0.0.1 that receives the real encrypted requests and decrypts them.

Each ``FakeSubscription`` has what a browser would have: a P-256 key pair and
an auth secret. The service checks the VAPID header (signature, ``aud`` is
its own origin, ``exp`` within 24 hours, a ``sub``), decrypts the body with
``http_ece`` (RFC 8291, aes128gcm) using the subscription's private key, and
keeps what it got. Answers are scripted per subscription: 201 by default, or
a queue of (status, headers, delay) to play back.

    python -m tests.notify.fake_push --port 8090   # for bench/push_throughput.py
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class FakeSubscription:
    """What a browser keeps for one push subscription; ``info`` is what it gives the server."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def key_id(self) -> str:
        return self.endpoint.rsplit("/", 1)[1]

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    @property
    def info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

    def decrypt(self, body: bytes) -> bytes:
        return http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm")


@dataclass
class Received:
    key_id: str
    headers: dict
    payload: dict | None  # decrypted JSON
    vapid_claims: dict | None
    vapid_valid: bool
    status: int
    at: float


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops connections when several workers open dozens at
    # once on a busy machine: the test then sees a timeout no real push service would cause.
    request_queue_size = 128


class FakePushService:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, decrypt: bool = True, latency: float = 0.0):
        self.decrypt = decrypt
        self.latency = latency  # seconds added to every answer, like a push service far away
        self.subscriptions: dict[str, FakeSubscription] = {}
        self.received: list[Received] = []
        self.scripts: dict[str, deque] = defaultdict(deque)
        self.default_status = 201
        self.lock = threading.Lock()
        self.server = _Server((host, port), self._handler_class())
        self.server.daemon_threads = True
        self.origin = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- Use -------------------------------------------------------------------

    def __enter__(self) -> FakePushService:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def subscribe(self) -> FakeSubscription:
        key_id = b64url(os.urandom(12))
        subscription = FakeSubscription(endpoint=f"{self.origin}/push/{key_id}")
        with self.lock:
            self.subscriptions[key_id] = subscription
        return subscription

    def answer(self, subscription: FakeSubscription, *responses) -> None:
        """Play these back, one per request: status, or (status, headers), or (status, headers, delay)."""
        with self.lock:
            for response in responses:
                if isinstance(response, int):
                    response = (response, {}, 0.0)
                elif len(response) == 2:
                    response = (*response, 0.0)
                self.scripts[subscription.key_id].append(response)

    def received_by(self, subscription: FakeSubscription) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.key_id == subscription.key_id]

    def payloads(self, subscription: FakeSubscription | None = None) -> list[dict]:
        with self.lock:
            return [
                r.payload for r in self.received
                if r.status < 300 and (subscription is None or r.key_id == subscription.key_id)
            ]

    # --- The service -----------------------------------------------------------

    def _handle(self, key_id: str, headers: dict, body: bytes) -> tuple[int, dict, float]:
        with self.lock:
            subscription = self.subscriptions.get(key_id)
            script = self.scripts[key_id]
            status, extra, delay = script.popleft() if script else (self.default_status, {}, self.latency)
        if subscription is None:
            status, extra, delay = 404, {}, 0.0
        claims, valid = self._check_vapid(headers.get("authorization", ""))
        payload = None
        if subscription is not None and self.decrypt and 200 <= status < 300:
            payload = json.loads(subscription.decrypt(body))
        with self.lock:
            self.received.append(Received(key_id, headers, payload, claims, valid, status, time.time()))
        return status, extra, delay

    def _check_vapid(self, authorization: str) -> tuple[dict | None, bool]:
        try:
            scheme, params = authorization.split(" ", 1)
            parts = dict(item.split("=", 1) for item in params.split(","))
            token = parts["t"]
            claims = json.loads(b64url_decode(token.split(".")[1]))
            valid = (
                scheme == "vapid"
                and Vapid02.verify(authorization)
                and claims.get("aud") == self.origin
                and time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600
                and str(claims.get("sub", "")).startswith(("mailto:", "https:"))
            )
            return claims, bool(valid)
        except Exception:  # noqa: BLE001 - a malformed header is simply not valid
            return None, False

    def _handler_class(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like a real push service

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                key_id = self.path.rsplit("/", 1)[-1]
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, extra, delay = service._handle(key_id, headers, body)
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8090)
    arguments = parser.parse_args()
    with FakePushService(port=arguments.port) as service:
        print(service.origin, flush=True)
        service.thread.join()
