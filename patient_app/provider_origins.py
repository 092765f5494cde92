"""The identity provider's origins that our Content-Security-Policy must name.

ID-porten serves its login and logout pages on another host than its issuer
(login.test.idporten.no beside test.idporten.no), and Chromium applies our
form-action to the redirect that follows the login and logout forms. So the
origins come from the discovery document's endpoints, never from OIDC_ISSUER.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, g
from requests import RequestException

log = logging.getLogger(__name__)

# After a failed fetch, pages go out without the provider for this long before we ask
# again: a provider that is down must not make every page wait for a timeout.
RETRY_AFTER_SECONDS = 30
# Only a plain scheme://host[:port] may enter the policy: a discovery document that
# held "; script-src *" or a wildcard must not be able to write our CSP.
SAFE_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


@dataclass(frozen=True)
class ProviderOrigins:
    # Where our login and logout forms lead: the authorization and end-session endpoints.
    form_targets: tuple[str, ...]
    # The end-session endpoint's origin: its logout page frames our front-channel logout.
    logout_page: str | None = None


UNKNOWN = ProviderOrigins(form_targets=())


def allow_framing_by_provider() -> None:
    """For this response only: the provider's logout page may frame it (front-channel logout)."""
    g.framed_by_provider = True


def frame_ancestors(provider: ProviderOrigins) -> str:
    """'none' for every page, but the one the provider's logout page frames, and only for that origin."""
    if g.get("framed_by_provider") and provider.logout_page:
        return provider.logout_page
    return "'none'"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def provider_origins() -> ProviderOrigins:
    """The origins from the discovery document; none (our own site only) while it cannot be read.

    Authlib keeps the document once it has it, so this asks the provider once per process.
    """
    from patient_app.auth import identity_provider

    failures = current_app.extensions.setdefault("provider_origins.failed_at", [0.0])
    if time.monotonic() - failures[0] < RETRY_AFTER_SECONDS:
        return UNKNOWN
    try:
        metadata = identity_provider().load_server_metadata()
    except (RequestException, ValueError) as error:
        failures[0] = time.monotonic()
        log.warning("discovery document unavailable (%s); forms lead to this site only", type(error).__name__)
        return UNKNOWN
    logout_page = safe_origins(metadata, "end_session_endpoint")
    return ProviderOrigins(
        form_targets=safe_origins(metadata, "authorization_endpoint", "end_session_endpoint"),
        logout_page=logout_page[0] if logout_page else None,
    )


def safe_origins(metadata: dict, *endpoint_names: str) -> tuple[str, ...]:
    """The distinct origins of the named endpoints, in order, leaving out any that is not a plain origin."""
    origins: list[str] = []
    for name in endpoint_names:
        url = metadata.get(name)
        if not isinstance(url, str):
            continue
        origin = safe_origin(url)
        if origin is None:
            log.warning("discovery document's %s is not a plain origin; left out of the CSP", name)
        elif origin not in origins:
            origins.append(origin)
    return tuple(origins)


def safe_origin(url: str) -> str | None:
    try:
        origin = origin_of(url)
    except ValueError:  # urlsplit refuses some malformed hosts
        return None
    return origin if SAFE_ORIGIN.fullmatch(origin) else None
