"""The app as gunicorn serves it in production, plus one constant page for comparison.

    gunicorn bench.wsgi:application

/bench/trivial is a minimal Flask app that answers a constant page: what one
request through gunicorn and Flask costs with no database, templates, session
or security headers. bench/run.py divides each page's throughput by its. It
lives here only, never in the product.
"""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from patient_app import create_app

TRIVIAL_PAGE = (
    "<!doctype html><html lang=nb><head><meta charset=utf-8><title>Konstant</title></head>"
    "<body><p>En konstant side, til sammenligning.</p></body></html>"
)

trivial = Flask("trivial")


@trivial.get("/trivial")
def constant_page():
    return TRIVIAL_PAGE


# BENCH_RATE_LIMITS=off: the load comes from one address, and with the limits on we
# would time the "too many requests" page (bench/run.py sets it).
app = create_app({"RATELIMIT_ENABLED": False} if os.environ.get("BENCH_RATE_LIMITS") == "off" else None)
application = DispatcherMiddleware(app, {"/bench": trivial})
