"""Which push endpoints the worker may post to: one parser, used at registration and before each send.

A push endpoint is a URL a browser hands us, so whoever controls the browser
chooses where the worker sends its requests. Two parsers reading one URL
differently is how a check is passed and another address reached
(``https://localhost\\.fcm.googleapis.com/`` is FCM to ``urlsplit`` and
localhost to urllib3). So the endpoint is read once, here, by a parser
stricter than either: only the form a browser's URL serializer writes
(lowercase host, no port, no user, no fragment, no backslash or space), only
host names under the allow-listed push services, only https on 443. What
was checked is what is stored and what is sent: ``PushEndpoint.url`` is the
text as given, which the parser has proved means the same to every reader.

Addresses are checked again when the worker connects (notify/push_http.py),
whatever DNS answers for the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 1024

# A DNS name as a browser writes it: lowercase ASCII labels (IDNA already turned
# into xn--), and a top-level label with a letter, so no spelling of an IP address
# (2130706433, 0177.0.0.1, 0x7f.1) is a host name.
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST = re.compile(rf"(?:{_LABEL}\.)+(?=[a-z0-9-]*[a-z])(?:{_LABEL})")
# Path and query: RFC 3986 path characters and %XX escapes; no '#', '\', space or '@'
# (unneeded by any push service; each has tricked some parser).
_PATH = re.compile(r"/(?:[A-Za-z0-9\-._~!$&'()*+,;=:/?]|%[0-9A-Fa-f]{2})*")
# The fake push service in the tests and `make run` listen on 127.0.0.1, plain http, any port.
_LOCAL = re.compile(r"(?P<scheme>https?)://(?P<host>127\.0\.0\.1|localhost):(?P<port>[1-9][0-9]{0,4})(?P<path>/.*)",
                    re.DOTALL)
_REMOTE = re.compile(r"https://(?P<host>[^/]*)(?P<path>/.*)?", re.DOTALL)


class EndpointRefused(ValueError):
    """The endpoint is not one the worker may post to."""


@dataclass(frozen=True)
class PushEndpoint:
    scheme: str
    host: str
    port: int
    path: str

    @property
    def origin(self) -> str:
        default = self.port == 443 and self.scheme == "https"
        return f"{self.scheme}://{self.host}" + ("" if default else f":{self.port}")

    @property
    def url(self) -> str:
        return self.origin + self.path


def parse_endpoint(text: object, allowed_hosts: tuple[str, ...], allow_local: bool = False) -> PushEndpoint:
    """The endpoint, if the worker may post to it; otherwise EndpointRefused saying why (for logs, not people)."""
    if not isinstance(text, str) or not text or len(text) > MAX_LENGTH:
        raise EndpointRefused("missing or too long")
    if not text.isascii() or not text.isprintable():
        raise EndpointRefused("characters outside printable ASCII")
    local = _LOCAL.fullmatch(text) if allow_local else None
    if local:
        return _local_endpoint(local)
    remote = _REMOTE.fullmatch(text)
    if not remote:
        raise EndpointRefused("not https")
    host, path = remote["host"], remote["path"] or ""
    if not _HOST.fullmatch(host):
        raise EndpointRefused("host is not a plain lowercase name (port, user, address or odd characters)")
    if not _PATH.fullmatch(path):
        raise EndpointRefused("path has characters a push service does not use")
    if not any(host == known or host.endswith("." + known) for known in allowed_hosts):
        raise EndpointRefused("not a known push service")
    return PushEndpoint("https", host, 443, path)


def _local_endpoint(match: re.Match) -> PushEndpoint:
    port, path = int(match["port"]), match["path"]
    if port > 65535 or not _PATH.fullmatch(path):
        raise EndpointRefused("odd local endpoint")
    return PushEndpoint(match["scheme"], match["host"], port, path)
