"""The app as gunicorn serves it in production, plus the constant pages for comparison.

    gunicorn bench.wsgi:application

/bench/trivial and /_bench/signed-in are described in bench/constant_pages.py;
bench/run.py divides each page's throughput by the first's.
"""

from __future__ import annotations

import os

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from bench.constant_pages import add_signed_in_constant_page, trivial
from patient_app import create_app

# BENCH_RATE_LIMITS=off: the load comes from one address, and with the limits on we
# would time the "too many requests" page (bench/run.py sets it).
app = create_app({"RATELIMIT_ENABLED": False} if os.environ.get("BENCH_RATE_LIMITS") == "off" else None)
add_signed_in_constant_page(app)
application = DispatcherMiddleware(app, {"/bench": trivial})
