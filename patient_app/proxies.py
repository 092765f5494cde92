"""Behind a proxy: who the client is, and whether they came over HTTPS.

A municipality runs Min plan behind a proxy that ends TLS (README: "Production behind a
proxy"). The app then sees the proxy's address and plain HTTP unless it reads the proxy's
X-Forwarded-For, -Proto and -Host. It reads them from exactly TRUSTED_PROXIES hops, counted
from the right: a client can write any X-Forwarded-For it likes, but only the entries the
trusted proxies appended are believed. With 0 (the default, no proxy) the headers are ignored.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
