"""HTTP to push services, safe against a hostile endpoint or a hostile push service.

The endpoint parser (notify/endpoints.py) decides which names may be asked
for; this module makes sure of what is actually reached and for how long:

- The address a connection reached is checked once the socket is connected,
  before a byte is sent: loopback, private, link-local, shared, reserved and
  multicast addresses are refused, whatever DNS answered for the name (a
  name can resolve to 127.0.0.1 or change its answer between two lookups).
- Redirects are never followed: a push service answers, it does not send us on.
- One request (connecting, sending, the whole answer) has a total deadline.
  A read timeout alone restarts with every byte: a service dripping a byte
  every few seconds would hold a worker past its lease, and another worker
  would send the same rows again. When the deadline passes, the request's
  sockets are shut down, which ends any read blocked on them.

With an outgoing proxy (HTTPS_PROXY in the environment), the proxy makes the
connections; its own rules must then refuse internal addresses.
"""

from __future__ import annotations

import heapq
import ipaddress
import os
import socket
import threading
import time
import urllib.request

import requests
import requests.adapters
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(NewConnectionError):
    """The push service's name led to an address the worker must not talk to."""


def is_public_address(address: str) -> bool:
    """A globally routable unicast address, also when an IPv6 address carries an IPv4 one inside."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    inner = _embedded_ipv4(ip) if ip.version == 6 else None
    if inner is not None:
        ip = inner
    return ip.is_global and not ip.is_multicast


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    # ::ffff:127.0.0.1, 2002:7f00:1::, Teredo and NAT64 (64:ff9b::7f00:1) all reach an IPv4 address.
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


# --- A total deadline per request --------------------------------------------------

_current = threading.local()


class _Watchdog:
    """One thread for every deadline of the process (a timer thread per request cost a fifth of the
    worker's sending rate): it sleeps until the earliest deadline and ends the requests past theirs."""

    def __init__(self):
        self.waiting: list[tuple[float, int, Deadline]] = []
        self.condition = threading.Condition()
        self.thread: threading.Thread | None = None
        self.counter = 0

    def add(self, deadline: Deadline) -> None:
        with self.condition:
            self.counter += 1
            heapq.heappush(self.waiting, (deadline.ends_at, self.counter, deadline))
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="push-deadlines", daemon=True)
                self.thread.start()
            if self.waiting[0][2] is deadline:  # only an earlier wake-up needs the thread woken
                self.condition.notify()

    def _run(self) -> None:
        while True:
            with self.condition:
                while self.waiting and (self.waiting[0][2].over or self.waiting[0][0] <= time.monotonic()):
                    _ends_at, _number, deadline = heapq.heappop(self.waiting)
                    deadline.expire()
                wait = self.waiting[0][0] - time.monotonic() if self.waiting else None
                self.condition.wait(wait)


_watchdog = _Watchdog()


class Deadline:
    """Shuts down every socket this thread uses for one request once ``seconds`` have passed."""

    def __init__(self, seconds: float):
        self.ends_at = time.monotonic() + seconds
        self.sockets: list[socket.socket] = []
        self.expired = False
        self.over = False
        self.lock = threading.Lock()

    def __enter__(self) -> Deadline:
        _current.deadline = self
        _watchdog.add(self)
        return self

    def __exit__(self, *exc) -> None:
        with self.lock:
            self.over = True  # a socket back in the pool is never shut by this request's deadline
        _current.deadline = None

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self.lock:
            if self.over:
                return
            self.sockets.append(sock)
            if self.expired:
                _shut(sock)

    def expire(self) -> None:
        with self.lock:
            if self.over:
                return
            self.expired = True
            for sock in self.sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket method, also for a TLS socket: ssl.SSLSocket.shutdown would also drop its
    # TLS state under the thread that is reading from it.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # closed already, or a plain socket handed over to TLS


def _watch(sock: socket.socket | None) -> None:
    deadline = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


# --- Connections that check where they landed ----------------------------------------


class _CheckedConnection:
    allow_local = False

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        if not self.allow_local:
            address = sock.getpeername()[0]
            if not is_public_address(address):
                sock.close()
                raise AddressRefused(self, "the push service's name leads to an internal address")
        return sock

    def request(self, *args, **kwargs):
        _watch(self.sock)  # a kept-alive connection, or the TLS socket over a new one
        return super().request(*args, **kwargs)


def _checked_pools(allow_local: bool) -> dict:
    def pool(pool_class, connection_class):
        checked = type("Checked" + connection_class.__name__, (_CheckedConnection, connection_class),
                       {"allow_local": allow_local})
        return type("Checked" + pool_class.__name__, (pool_class,), {"ConnectionCls": checked})

    return {"http": pool(HTTPConnectionPool, HTTPConnection), "https": pool(HTTPSConnectionPool, HTTPSConnection)}


class _CheckedAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, allow_local: bool, **kwargs):
        self.allow_local = allow_local  # before super().__init__, which builds the pool manager
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _checked_pools(self.allow_local)


class PushHTTP(requests.Session):
    """Keep-alive connections to the push services, with the rules above. Proxy and CA settings
    are read from the environment once, not on every request (requests would look each time)."""

    def __init__(self, total_seconds: float, allow_local: bool = False):
        super().__init__()
        self.total_seconds = total_seconds
        adapter = _CheckedAdapter(allow_local, pool_connections=16, pool_maxsize=32)
        self.mount("https://", adapter)
        self.mount("http://", adapter)
        self.trust_env = False
        self.proxies = urllib.request.getproxies()
        self.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True

    def get_redirect_target(self, response) -> None:
        return None  # never follow: a 3xx is the push service's answer

    def send(self, request, **kwargs) -> requests.Response:
        kwargs["allow_redirects"] = False
        with Deadline(self.total_seconds) as deadline:
            try:
                response = super().send(request, **kwargs)
            except requests.RequestException as error:
                if deadline.expired:
                    raise requests.Timeout(f"no complete answer within {self.total_seconds} s") from error
                raise
        if deadline.expired:
            raise requests.Timeout(f"no complete answer within {self.total_seconds} s")
        return response
