"""Response headers, set in one place. tests/views/test_headers.py asserts them exactly."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def csp_nonce() -> str:
    """One nonce per request, for the few script tags we serve."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(nonce: str, identity_provider: str) -> str:
    # form-action must allow the identity provider: Chromium applies it to the
    # redirect that follows our login and logout forms.
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "connect-src": "'self'",
        "font-src": "'self'",
        "manifest-src": "'self'",
        "worker-src": "'self'",
        "form-action": f"'self' {identity_provider}",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "object-src": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def set_security_headers(response):
    headers = response.headers
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    headers["Content-Security-Policy"] = content_security_policy(
        csp_nonce(), origin_of(current_app.config["OIDC_ISSUER"])
    )
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if _is_personal(response):
        # Health data must not stay in shared caches or the browser's disk cache.
        headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Cookie")
    return response


def _is_personal(response) -> bool:
    if request.endpoint == "static":
        return False
    return bool(getattr(current_user, "is_authenticated", False)) or "text/html" in response.content_type


class IdleTimeoutSessionInterface(SecureCookieSessionInterface):
    """Background polls (htmx `every …`) do not renew the session cookie.

    The idle timeout counts from the person's last real request; a phone left
    open on a page must not stay logged in for ever.
    """

    # Files fetched by the service worker or the browser in the background: a
    # late answer must never overwrite a cookie that a login set meanwhile.
    NO_COOKIE_ENDPOINTS = {"static", "pwa.service_worker", "pwa.manifest", "pwa.offline"}

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if request.headers.get("X-Background-Poll") or request.endpoint in self.NO_COOKIE_ENDPOINTS:
            return False
        return super().should_set_cookie(app, session)


def init_app(app: Flask) -> None:
    app.session_interface = IdleTimeoutSessionInterface()
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    # Sessions are permanent so the idle timeout (PERMANENT_SESSION_LIFETIME) applies.
    app.before_request(_make_session_permanent)


def _make_session_permanent():
    if not session.permanent:  # setting it marks the session modified
        session.permanent = True
