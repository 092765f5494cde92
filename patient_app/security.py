"""Response headers, set in one place. tests/views/test_headers.py asserts them exactly."""

from __future__ import annotations

import gzip
import secrets

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from patient_app.provider_origins import ProviderOrigins, frame_ancestors, provider_origins

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Other sites learn nothing of where a person was (plan and thread ids are in our URLs);
    # our own pages still send their origin, which the CSRF check reads (refuse_cross_site_writes).
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def csp_nonce() -> str:
    """One nonce per request, for the few script tags we serve."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str, provider: ProviderOrigins) -> str:
    # form-action must allow the identity provider's login and logout pages: Chromium
    # applies it to the redirect that follows our login and logout forms.
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "connect-src": "'self'",
        "font-src": "'self'",
        "manifest-src": "'self'",
        "worker-src": "'self'",
        "form-action": " ".join(("'self'", *provider.form_targets)),
        "frame-ancestors": frame_ancestors(provider),
        "base-uri": "'none'",
        "object-src": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


# --- Writes from other sites --------------------------------------------------------
# Every form carries Flask-WTF's token (CSRFProtect). Flask-WTF's extra check over HTTPS
# (WTF_CSRF_SSL_STRICT) demands a same-origin Referer, which privacy settings, extensions
# and some proxies remove: behind TLS nobody could log in. So that check is off
# (config.BASE) and this one takes its place, reading what browsers send whatever the
# referrer policy: Sec-Fetch-Site (every current browser), else Origin. README: "CSRF".
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})  # "none": the person's own action


def refuse_cross_site_writes() -> None:
    if request.method not in UNSAFE_METHODS:
        return
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        if fetch_site not in ALLOWED_FETCH_SITES:
            raise CSRFError("The form was sent from another site.")
        return
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin != request.host_url.rstrip("/"):
        raise CSRFError("The form was sent from another origin.")


def set_security_headers(response):
    headers = response.headers
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    provider = provider_origins()
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce(), provider)
    if frame_ancestors(provider) != "'none'":
        del headers["X-Frame-Options"]  # it cannot name one framer; frame-ancestors does
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


# --- Compression -------------------------------------------------------------------
# Pages, fragments, the manifest and the service worker are gzipped here, in one
# place; static files are precompressed by `flask build-assets` (patient_app/assets.py).

COMPRESSIBLE_TYPES = {
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "application/manifest+json", "image/svg+xml", "text/plain",
}
MIN_COMPRESSED_BYTES = 1024  # below this the saving is a few hundred bytes at most
GZIP_LEVEL = 6  # per response: about 0.1 ms for a 10 KB page


def compress_response(response):
    """gzip a response body when the client accepts it. Streamed and file responses
    (direct_passthrough: static files, which come precompressed) are left alone.

    BREACH: a compressed page that holds a secret and reflects input an attacker
    chose leaks the secret through its length. So a logged-in person's page is
    compressed only for a request the site itself or the person made
    (Sec-Fetch-Site same-origin or none, or a browser too old to say): a page
    another site opens with the person's cookie goes uncompressed. (Logged-out
    pages hold no health data; their CSRF token is re-signed every second.)
    """
    if (
        response.direct_passthrough
        or response.is_streamed
        or response.status_code < 200
        or response.status_code in (204, 206, 304)
        or "Content-Encoding" in response.headers
        or response.mimetype not in COMPRESSIBLE_TYPES
    ):
        return response
    body = response.get_data()
    if len(body) < MIN_COMPRESSED_BYTES:
        return response
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0:
        return response
    if _is_cross_site() and getattr(current_user, "is_authenticated", False):
        return response
    response.set_data(gzip.compress(body, GZIP_LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response


def _is_cross_site() -> bool:
    return request.headers.get("Sec-Fetch-Site", "none") not in ("same-origin", "none")


class IdleTimeoutSessionInterface(SecureCookieSessionInterface):
    """Background polls (htmx `every …`) do not renew the session cookie.

    The idle timeout counts from the person's last real request; a phone left
    open on a page must not stay logged in for ever.
    """

    # Files fetched by the service worker or the browser in the background: a
    # late answer must never overwrite a cookie that a login set meanwhile.
    NO_COOKIE_ENDPOINTS = {"static", "pwa.service_worker", "pwa.manifest", "pwa.offline"}
    NEVER_A_SESSION_ENDPOINTS = {"static", "calendar.feed", "health.live", "health.ready"}

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if request.headers.get("X-Background-Poll") or request.endpoint in self.NO_COOKIE_ENDPOINTS:
            return False
        return super().should_set_cookie(app, session)

    def save_session(self, app, session, response) -> None:
        # Static files are the same for everyone and cached for a year (patient_app/assets.py):
        # never a cookie, and no "Vary: Cookie", which would keep shared caches from
        # storing them and make browsers ask again whenever the session cookie changes.
        # A calendar app polling its private address has no session and must not get one:
        # the address is the key, and a cookie would only tie the polls together.
        if request.endpoint in self.NEVER_A_SESSION_ENDPOINTS:
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = IdleTimeoutSessionInterface()
    app.before_request(refuse_cross_site_writes)
    # after_request functions run in reverse order: compression runs after the headers are set.
    app.after_request(compress_response)
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    # Sessions are permanent so the idle timeout (PERMANENT_SESSION_LIFETIME) applies.
    app.before_request(_make_session_permanent)


def _make_session_permanent():
    if not session.permanent:  # setting it marks the session modified
        session.permanent = True
