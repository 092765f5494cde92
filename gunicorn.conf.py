"""gunicorn's production settings for Min plan.

    gunicorn "patient_app:create_app()"      # from the repository root, with MIN_PLAN_ENV=production

gunicorn reads ./gunicorn.conf.py by itself; bench/run.py, bench/soak.py and
bench/lighthouse.py start gunicorn with this file too, so what is measured is what
runs. TLS ends at the proxy in front, which is the only client these workers see.
"""

import os

# Sync workers: the app holds no long-lived connections (messages poll; there are no
# server-sent events), so one request per process is enough and the simplest to reason about.
worker_class = "sync"

# As many workers as CPUs, not gunicorn's suggested 2 x CPUs + 1: a page's time is
# Python, not waiting on the database (a round trip to PostgreSQL on the same machine
# is under a tenth of a millisecond). Measured on 2 CPUs with bench/run.py (bench/RESULTS.md,
# 2026-11-23): 5 workers served the overview at 227-235 req/s against 255-258 with 2,
# and its p95 went from 16 ms to 53 ms. WEB_CONCURRENCY overrides it, as on most platforms.
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)

bind = os.environ.get("BIND", "127.0.0.1:8000")

# A page answers in milliseconds; a request still running after 30 s is stuck and is
# better ended than left holding a worker. On SIGTERM (a deploy) requests in flight get
# 20 s to finish.
timeout = 30
graceful_timeout = 20

# Request lines and headers no browser needs: refused before Flask sees them.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# The proxy's X-Forwarded-* headers are read by the app, from exactly TRUSTED_PROXIES hops
# (Werkzeug's ProxyFix, patient_app/proxies.py), not also by gunicorn: one place decides.
forwarded_allow_ips = ""
secure_scheme_headers = {}

# No control socket: it would live at one path in $HOME shared by every gunicorn on the
# machine (make cluster runs two), and nothing here uses it; deploys signal the master.
control_socket_disable = True

# Metrics (patient_app/metrics.py): with METRICS_BIND set (e.g. 127.0.0.1:9100, an address
# the proxy does not forward), the master serves every worker's numbers there. The workers
# write them to PROMETHEUS_MULTIPROC_DIR, which must be set before they import the app.
_metrics_bind = os.environ.get("METRICS_BIND", "")
if _metrics_bind and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="min-plan-metrics-")


def on_starting(server):
    # Numbers left by an earlier run of this master would be added to the new ones.
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if _metrics_bind and folder:
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def when_ready(server):
    if _metrics_bind:
        from patient_app.metrics import serve_for_gunicorn

        serve_for_gunicorn(_metrics_bind, os.environ.get("DATABASE_URL", ""))


def child_exit(server, worker):
    if _metrics_bind:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
