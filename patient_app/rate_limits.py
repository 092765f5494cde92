"""Rate limits on what can be abused: logging in, granting access, sending, the calendar feed.

Counted in one place for every server and worker (Redis in production, RATELIMIT_STORAGE_URI),
so a limit of 10 a minute is 10 in all, and a restart does not reset it. Each limit is keyed
so that one client cannot spend another's: per client address (behind a proxy, the address
the proxy saw: patient_app/proxies.py), per person, or per calendar address, never per server.

When the store cannot be reached, each limit says what happens (README: "Rate limits"):
- fails open (the request goes through, uncounted) where refusing would hurt the many to guard
  against the few: logging in, sending a message, a calendar app's poll;
- fails closed (503, "try again in a minute") where a burst is the harm: granting someone
  access to the plan.
After a failure the store is left alone for a few seconds, so an outage costs each request
nothing rather than a connect timeout.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Callable

from flask import Flask, abort, current_app, make_response, render_template, request
from flask_login import current_user
from limits import parse_many
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

STORE_TIMEOUT_SECONDS = 0.25  # a healthy Redis on the same network answers in under a millisecond
RETRY_STORE_AFTER_SECONDS = 5.0
OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class RateLimit:
    name: str
    setting: str  # the config key holding e.g. "10 per minute; 50 per hour"
    key: Callable[[], str]
    when_store_is_down: str  # OPEN or CLOSED


def client_address() -> str:
    return request.remote_addr or "unknown"


def signed_in_person() -> str:
    """Per person, so one patient's messages never spend another's; a request without a
    login (refused by the access policy right after) counts against its address."""
    if current_user.is_authenticated:
        return f"person:{current_user.get_id()}"
    return f"address:{client_address()}"


def calendar_address() -> str:
    """The private address, hashed: Google and Apple fetch many people's calendars from few
    addresses, so per client address would let one busy calendar service lock out the rest."""
    token = (request.view_args or {}).get("token", "")
    return hashlib.sha256(token.encode()).hexdigest()


LOGIN = RateLimit("login", "LOGIN_RATE_LIMIT", client_address, OPEN)
# Counted once ID-porten has said who it is (views/auth.py), keyed by the hashed identity
# number: many people behind one address (a mobile operator, an office) do not share it.
LOGIN_PERSON = RateLimit("login-person", "LOGIN_PERSON_RATE_LIMIT", lambda: "", OPEN)
CALLBACK = RateLimit("callback", "CALLBACK_RATE_LIMIT", client_address, OPEN)
MESSAGE = RateLimit("message", "MESSAGE_RATE_LIMIT", signed_in_person, OPEN)
GRANT = RateLimit("grant", "GRANT_RATE_LIMIT", signed_in_person, CLOSED)
CALENDAR_FEED = RateLimit("calendar", "CALENDAR_FEED_RATE_LIMIT", calendar_address, OPEN)


class StoreUnavailable(Exception):
    pass


class Limits:
    """The counting store of one app, and what it knows of the store's health."""

    def __init__(self, app: Flask):
        uri = app.config["RATELIMIT_STORAGE_URI"]
        options = {}
        if uri.startswith(("redis://", "rediss://")):
            options = {"socket_timeout": STORE_TIMEOUT_SECONDS, "socket_connect_timeout": STORE_TIMEOUT_SECONDS,
                       "key_prefix": app.config.get("RATELIMIT_KEY_PREFIX", "min-plan")}
        self.storage = storage_from_string(uri, wrap_exceptions=True, **options)
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.down_until = 0.0

    def hit(self, limit: RateLimit, key: str, rules: str) -> float | None:
        """Count one request. None when allowed; else the seconds until it would be."""
        if time.monotonic() < self.down_until:
            raise StoreUnavailable
        try:
            for item in parse_many(rules):
                if not self.strategy.hit(item, limit.name, key):
                    reset_at = self.strategy.get_window_stats(item, limit.name, key).reset_time
                    return max(1.0, reset_at - time.time())
        except StorageError as error:
            self.down_until = time.monotonic() + RETRY_STORE_AFTER_SECONDS
            log.error("rate limit store unavailable: %s", type(error.storage_error).__name__)
            raise StoreUnavailable from error
        return None

    def reset(self) -> None:
        self.down_until = 0.0
        self.storage.reset()


def limited(limit: RateLimit, methods: tuple[str, ...] = ("GET", "POST")):
    """Decorate a view: count each request (of these methods) against ``limit``."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if request.method in methods:
                count_or_refuse(limit, limit.key())
            return view(*args, **kwargs)

        return wrapper

    return decorate


def count_or_refuse(limit: RateLimit, key: str) -> None:
    """Count one request against ``limit`` for ``key``; abort with 429 (or 503) when refused."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    limits: Limits = current_app.extensions["rate_limits"]
    try:
        wait = limits.hit(limit, key, current_app.config[limit.setting])
    except StoreUnavailable:
        if limit.when_store_is_down == CLOSED:
            response = make_response(render_template("errors/503.html"), 503)
            response.headers["Retry-After"] = str(int(RETRY_STORE_AFTER_SECONDS) * 12)
            abort(response)
        return
    if wait is not None:
        response = make_response(render_template("errors/429.html"), 429)
        response.headers["Retry-After"] = str(math.ceil(wait))
        abort(response)


def init_app(app: Flask) -> None:
    app.extensions["rate_limits"] = Limits(app)
