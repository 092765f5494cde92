"""Where a page's time goes: cProfile over repeated requests through Flask's test client.

    .venv/bin/python bench/profile_page.py [overview|goals|fragment|post|manifest|signed-in|trivial] [--requests 200]
                                           [--database URL] [--sort cumulative|tottime] [--limit 40]

The app runs with the production settings (throwaway secrets) on a fresh SQLite
database with the demo plans, or on --database (e.g. a database bench/seed_large.py
filled). The patient is logged in the way bench/run.py does it; the first request is
not profiled. Prints the heaviest functions and the SQL statements per request.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", nargs="?", default="overview", choices=["overview", "goals", "fragment", "post", "manifest", "signed-in", "trivial"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", default="")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--no-profile", action="store_true", help="only the wall time per request, without the profiler")
    parser.add_argument("--show-sql", action="store_true", help="print the SQL statements of one request")
    arguments = parser.parse_args()

    import logging

    logging.disable(logging.WARNING)
    from flask_login.utils import _create_identifier
    from sqlalchemy import event, select

    from bench.constant_pages import SIGNED_IN_PATH, add_signed_in_constant_page
    from bench.seed_large import seed
    from patient_app import create_app, login_sessions
    from patient_app.demo.people import demo_person
    from patient_app.extensions import db
    from patient_app.models import Person

    folder = tempfile.mkdtemp(prefix="min-plan-profile-")
    url = arguments.database or f"sqlite:///{folder}/profile.sqlite"
    if not arguments.database:
        seed(url, 98, quiet=True)
    app = create_app({
        "ENV_NAME": "production", "SESSION_COOKIE_SECURE": True, "ALLOW_SQLITE_IN_PRODUCTION": True,
        "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
        **{name: secrets.token_urlsafe(32) for name in ("SECRET_KEY", "PID_HASH_KEY", "OIDC_CLIENT_SECRET")},
    })
    add_signed_in_constant_page(app)
    agent = "min-plan-profile"
    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": agent}
    client = app.test_client()
    client.environ_base.update(environ)
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.name == demo_person("patient").name))
        signed_in = login_sessions.cookie_data_for(person, agent)
    with app.test_request_context(environ_base=environ):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session.update({**signed_in, "_id": identifier})
        session.permanent = True
    headers = {"Accept-Encoding": "gzip", "Sec-Fetch-Site": "same-origin"}
    overview = client.get("/plans", headers=headers, base_url="https://localhost").headers["Location"]
    overview = re.sub(r"^https?://[^/]+", "", overview)
    plan = overview.rstrip("/")
    client.get(overview, headers=headers, base_url="https://localhost")

    def request_for(page: str):
        if page == "trivial":  # the 404 page: the layout and the hooks, no plan
            return lambda: client.get("/this-page-does-not-exist", headers=headers, base_url="https://localhost")
        if page == "signed-in":  # the hooks and the login check, a constant page (bench/constant_pages.py)
            return lambda: client.get(SIGNED_IN_PATH, headers=headers, base_url="https://localhost")
        if page == "manifest":  # the hooks, no SQL
            return lambda: client.get("/manifest.webmanifest", headers=headers, base_url="https://localhost")
        if page in ("overview", "goals"):
            path = overview if page == "overview" else f"{plan}/goals"
            return lambda: client.get(path, headers=headers, base_url="https://localhost")
        form = client.get(f"{plan}/messages/new", base_url="https://localhost").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)[1]
        answer = client.post(f"{plan}/messages/new", base_url="https://localhost", headers=headers, data={
            "csrf_token": token, "subject": "Profil", "body": "Hei", "idempotency_key": str(uuid.uuid4())})
        thread = re.sub(r"^https?://[^/]+", "", answer.headers["Location"]).split("#")[0]
        client.get(thread, headers=headers, base_url="https://localhost")
        if page == "fragment":
            poll = {**headers, "HX-Request": "true", "X-Background-Poll": "1"}
            return lambda: client.get(f"{thread}?version=x&opened={int(time.time())}", headers=poll, base_url="https://localhost")
        return lambda: client.post(thread, base_url="https://localhost", headers=headers, data={
            "csrf_token": token, "body": "Takk", "idempotency_key": str(uuid.uuid4())})

    send = request_for(arguments.page)
    first = send()
    print(f"{arguments.page}: status {first.status_code}, {len(first.get_data())} bytes")
    statements = []
    with app.app_context():
        engine = db.engine
    def count(_connection, _cursor, statement, *_rest):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    send()
    event.remove(engine, "before_cursor_execute", count)
    print(f"{len(statements)} SQL statements per request")
    if arguments.show_sql:
        for number, statement in enumerate(statements, 1):
            print(f"-- {number}\n{statement}")
    started = time.perf_counter()
    for _ in range(arguments.requests):
        send()
    elapsed = time.perf_counter() - started
    print(f"{arguments.requests} requests in {elapsed:.2f} s without the profiler: {elapsed / arguments.requests * 1000:.2f} ms each")
    if arguments.no_profile:
        return
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(arguments.requests):
        send()
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"{arguments.requests} requests in {elapsed:.2f} s under the profiler: {elapsed / arguments.requests * 1000:.1f} ms each")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(arguments.sort).print_stats(arguments.limit)
    print(out.getvalue())


if __name__ == "__main__":
    main()
