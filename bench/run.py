"""make bench: Min plan's pages under gunicorn with the production settings, as ratios to a constant page.

    .venv/bin/python bench/run.py [--runs 3] [--seconds 4] [--connections 8] [--workers 2]
                                  [--large-plans 100000] [--no-scale] [--no-push] [--soak 0]
                                  [--lighthouse-runs 3] [--reminders 10000] [--results bench/RESULTS.md]

What it does, all on 127.0.0.1:

1. Databases. On PostgreSQL (127.0.0.1:5432, user postgres) when it answers, else SQLite
   (ALLOW_SQLITE_IN_PRODUCTION=1, and no scale comparison). "small": the demo plans plus
   98 synthetic ones, 100 plans, made afresh each run. "large": the demo plans plus
   --large-plans synthetic ones with ten messages each (bench/seed_large.py), made once
   and kept as min_plan_bench_large_<N>: the first run spends a few minutes on it.
2. gunicorn with the product's gunicorn.conf.py, MIN_PLAN_ENV=production and throwaway secrets, one server
   per database, serving bench/wsgi.py: the app, and the constant pages of bench/constant_pages.py.
   Rate limits are off (every request comes from one address; with them on we would time
   the 429 page) and so is HTTPS, so the Secure session cookie is sent by hand.
3. A session cookie for the patient (Sigrid, from the demo), made as a login makes it and
   signed with the server's key, then used once the way a browser would (opening the plan
   stores "seen since", writing a message needs a CSRF token), so that what is timed is a
   person's ordinary request, not their first one.
4. wrk (Debian's) for --seconds per endpoint and run, the endpoints taken in turn in each
   run so that a noisy neighbour hurts them all alike; the table gives medians over the
   runs and each page's throughput divided by the constant page's (per run, then the
   median). The web app manifest is there too: the product's request hooks and the user
   lookup, without a template: the floor under every page of the app.
5. The overview on the small and the large database, interleaved the same way: p95 large/small.
6. Lighthouse (bench/lighthouse.py): the performance score of the overview and the crisis
   plan in mobile emulation, logged in, on the small server.
7. Resident memory of each worker of the small server after the runs (and after --soak
   seconds of mixed load, if asked), the push fan-out (bench/push_throughput.py) and the
   time to send 10,000 meeting reminders through the worker (bench/reminders.py).
8. Appends the results, the machine and the command to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from contextlib import ExitStack, closing
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
USER_AGENT = "min-plan-bench/1 (loopback)"
COOKIE_NAME = "__Host-min_plan_session"  # production settings, Secure cookies (config.host_only_cookie_name)
WRK_LUA = REPO / "bench" / "wrk.lua"
SMALL_SYNTHETIC_PLANS = 98  # + the two demo plans = 100


# --- Machine, databases ------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, TypeError):
        pass
    from importlib.metadata import version

    def tool(command: list[str]) -> str:
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=10)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "-"

    return {
        "cpu": f"{cpu}, {os.cpu_count()} logical CPUs",
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "gunicorn": version("gunicorn"),
        "flask": version("flask"),
        "wrk": tool(["wrk", "--version"]).split(" Copyright")[0] if shutil.which("wrk") else "not installed",
        "postgresql": tool(["psql", "--version"]),
    }


def postgres_answers() -> bool:
    try:
        with closing(socket.create_connection(("127.0.0.1", 5432), timeout=1)):
            return True
    except OSError:
        return False


def admin_engine():
    from sqlalchemy import create_engine

    return create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")


def database_exists(name: str) -> bool:
    from sqlalchemy import text

    engine = admin_engine()
    with engine.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar()
    engine.dispose()
    return bool(found)


def create_database(name: str, drop: bool = True) -> str:
    engine = admin_engine()
    with engine.connect() as connection:
        if drop:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return f"{PG_SERVER}/{name}"


def drop_database(name: str) -> None:
    engine = admin_engine()
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def seeded_throwaway_database(stack, work: Path, label: str, plans: int, postgres: bool) -> str:
    """A database for one run, with ``plans`` synthetic plans, dropped when ``stack`` closes."""
    from bench.seed_large import seed

    if postgres:
        name = f"min_plan_{label}_{os.getpid()}"
        url = create_database(name)
        stack.callback(drop_database, name)
    else:
        url = f"sqlite:///{work}/{label}.sqlite"
    seed(url, plans, quiet=True)
    return url


def plan_count(url: str) -> int:
    return row_count(url, "plan")


def row_count(url: str, table: str) -> int:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar())
    except Exception:  # no such table yet
        return 0
    finally:
        engine.dispose()


def prepare_large(plans: int) -> str:
    """The large database, kept between runs; seeded when missing or short."""
    from bench.seed_large import seed

    name = f"min_plan_bench_large_{plans}"
    url = f"{PG_SERVER}/{name}"
    if database_exists(name) and plan_count(url) >= plans:
        print(f"Large database: {name} is there ({plan_count(url):,} plans), reused.")
        return url
    print(f"Large database: seeding {name} with {plans:,} synthetic plans (once; it is kept for later runs) ...")
    create_database(name)
    seed(url, plans)
    return url


# --- gunicorn -----------------------------------------------------------------------------


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn master with its workers, production settings, on a database."""

    def __init__(self, name: str, database_url: str, secrets_env: dict, workers: int, log_dir: Path):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            **secrets_env,
            "MIN_PLAN_ENV": "production",
            "DATABASE_URL": database_url,
            "BENCH_RATE_LIMITS": "off",
            "PYTHONUNBUFFERED": "1",
        }
        if database_url.startswith("sqlite"):
            self.env["ALLOW_SQLITE_IN_PRODUCTION"] = "1"
        self.log = open(log_dir / f"gunicorn-{name}.log", "w", encoding="utf-8")
        self.process = subprocess.Popen(
            # The product's settings (gunicorn.conf.py); the worker count, the port and a
            # short shutdown are the benchmark's.
            [str(BIN / "gunicorn"), "--config", str(REPO / "gunicorn.conf.py"), "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--chdir", str(REPO), "--pythonpath", str(REPO),
             "--graceful-timeout", "5", "bench.wsgi:application"],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn ({self.name}) stopped; see {self.log.name}")
            try:
                if requests.get(self.url + "/bench/trivial", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn ({self.name}) did not answer within {timeout} s; see {self.log.name}")

    def worker_pids(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def worker_rss_mib(self) -> dict[int, float]:
        sizes = {}
        for pid in self.worker_pids():
            try:
                kib = int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())[1])
            except (OSError, TypeError):
                continue
            sizes[pid] = kib / 1024
        return sizes

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the group of the master we started
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()


# --- A logged-in person -------------------------------------------------------------------


class Person:
    """The session cookie a login gives, then used as a browser would; every request by hand
    (the cookie is Secure, and this is plain HTTP on loopback)."""

    def __init__(self, server: Server, secrets_env: dict, database_url: str, cookie: str | None = None):
        self.server = server
        self.cookie = cookie or make_session_cookie(secrets_env, database_url)
        self.http = requests.Session()

    def headers(self, extra: dict | None = None) -> dict:
        return {"Cookie": f"{COOKIE_NAME}={self.cookie}", "User-Agent": USER_AGENT, "Accept-Encoding": "gzip",
                "Sec-Fetch-Site": "same-origin", **(extra or {})}

    def _keep_cookie(self, response) -> None:
        match = re.search(rf"{COOKIE_NAME}=([^;]*)", response.headers.get("Set-Cookie", ""))
        if match and match[1]:
            self.cookie = match[1]

    def get(self, path: str, expect: int = 200, headers: dict | None = None) -> requests.Response:
        response = self.http.get(self.server.url + path, headers=self.headers(headers), allow_redirects=False, timeout=30)
        self._keep_cookie(response)
        if response.status_code != expect:
            raise SystemExit(f"GET {path} on {self.server.name} answered {response.status_code}, expected {expect}")
        return response

    def post(self, path: str, data: dict, expect=(302, 303)) -> requests.Response:
        response = self.http.post(self.server.url + path, data=data, headers=self.headers(), allow_redirects=False, timeout=30)
        self._keep_cookie(response)
        if response.status_code not in expect:
            raise SystemExit(f"POST {path} on {self.server.name} answered {response.status_code}")
        return response


def make_session_cookie(secrets_env: dict, database_url: str) -> str:
    """What a successful login stores for the demo patient (Sigrid)."""
    from patient_app.demo.people import demo_person

    return make_session_cookies(secrets_env, database_url, [demo_person("patient").name])[0]


def make_session_cookies(secrets_env: dict, database_url: str, names: list[str]) -> list[str]:
    """What a successful login stores (patient_app/views/auth.py), signed with the server's key,
    for each person by name (the large database keeps the key it was seeded with, so not by number)."""
    from flask_login.utils import _create_identifier
    from sqlalchemy import select

    from patient_app import create_app, login_sessions
    from patient_app.extensions import db
    from patient_app.models import Person as PersonRow

    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secrets_env["SECRET_KEY"],
                "PID_HASH_KEY": secrets_env["PID_HASH_KEY"], "OIDC_CLIENT_SECRET": secrets_env["OIDC_CLIENT_SECRET"],
                "ENV_NAME": "production", "SESSION_COOKIE_SECURE": True, "ALLOW_SQLITE_IN_PRODUCTION": True,
                # This app only signs cookies and serves nothing: production's demand for a shared
                # rate-limit store (Redis) does not apply to it.
                "RATELIMIT_ENABLED": False}
    app = create_app(settings)
    with app.app_context():
        people = [db.session.scalar(select(PersonRow).where(PersonRow.name == name)) for name in names]
        signed_in = [login_sessions.cookie_data_for(person, USER_AGENT) for person in people]
        db.engine.dispose()
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": USER_AGENT}):
        identifier = _create_identifier()
    serializer = app.session_interface.get_signing_serializer(app)
    return [serializer.dumps({"_permanent": True, **data, "_id": identifier, "locale": "nb"}) for data in signed_in]


def prepare_person(server: Server, secrets_env: dict, database_url: str, threads: int) -> tuple[Person, dict]:
    """Log in, open the plan, and make the threads the benchmark writes to and polls."""
    person = Person(server, secrets_env, database_url)
    location = person.get("/plans", expect=302).headers["Location"]
    overview = urllib.parse.urlsplit(location).path
    page = person.get(overview)  # the first page of the plan in this session stores "seen since"
    plan = overview.rstrip("/")
    stylesheet = re.search(r'<link rel="stylesheet" href="(/static/[^"]+)"', page.text)[1]
    paths = {"overview": overview, "plan page": f"{plan}/goals", "plan": plan, "stylesheet": stylesheet}
    if threads:
        page = person.get(f"{plan}/messages/new").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
        made = []
        for number in range(threads + 1):
            answer = person.post(f"{plan}/messages/new", {
                "csrf_token": token, "subject": f"Benchmark {number + 1}",
                "body": "Hei! Dette er en melding fra benchmarken.", "idempotency_key": str(uuid.uuid4()),
            })
            made.append(urllib.parse.urlsplit(answer.headers["Location"]).path)
        polled = made.pop()
        # What wrk will send, once by hand: a reply is stored (a redirect, not the form again) ...
        person.post(made[0], {"csrf_token": token, "body": "Takk, det passer fint.", "idempotency_key": str(uuid.uuid4())})
        person.get(polled)  # shows (and so removes) the confirmations kept in the session
        version = "0-none-0-0"  # never the current one: the poll answers with the fragment
        fragment = f"{polled}?version={version}&opened={int(time.time())}"
        # ... and a poll gets the fragment, not a whole page.
        answer = person.get(fragment, headers={"HX-Request": "true", "X-Background-Poll": "1"})
        if "<html" in answer.text or "message" not in answer.text:
            raise SystemExit(f"the poll of {polled} did not answer with the messages fragment")
        paths.update(token=token, threads=made, fragment=fragment)
    return person, paths


# --- Load ------------------------------------------------------------------------------------


def requests_file(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / (re.sub(r"\W+", "-", name) + ".txt")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def endpoint_specs(paths: dict, folder: Path) -> dict[str, tuple[Path, dict]]:
    body = urllib.parse.urlencode({"csrf_token": paths["token"], "body": "Takk, det passer fint."}) + "&idempotency_key={key}"
    return {
        "trivial": (requests_file(folder, "trivial", ["GET\t/bench/trivial\t"]), {}),
        # The product's request hooks (session, security headers, compression, locale), one SQL
        # statement (who is logged in), no template: what any page of the app costs at least.
        "manifest (app hooks, 1 SQL)": (requests_file(folder, "manifest", ["GET\t/manifest.webmanifest\t"]), {}),
        # The constant page again, from the product's app to the logged-in patient (bench/constant_pages.py).
        "signed-in constant page": (requests_file(folder, "signed-in", ["GET\t/_bench/signed-in\t"]), {}),
        # A static file as gunicorn serves it (gzip copy, immutable when the build is there).
        "static file (" + paths["stylesheet"].rsplit("/", 1)[1] + ")": (
            requests_file(folder, "static", [f"GET\t{paths['stylesheet']}\t"]), {}),
        "overview": (requests_file(folder, "overview", [f"GET\t{paths['overview']}\t"]), {}),
        "plan page": (requests_file(folder, "plan page", [f"GET\t{paths['plan page']}\t"]), {}),
        "post message": (requests_file(folder, "post", [f"POST\t{t}\t{body}" for t in paths["threads"]]), {}),
        "htmx fragment": (requests_file(folder, "fragment", [f"GET\t{paths['fragment']}\t"]),
                          {"HX-Request": "true", "X-Background-Poll": "1"}),
    }


def run_wrk(server: Server, person: Person, spec: tuple[Path, dict], seconds: float, connections: int) -> dict:
    path, extra = spec
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    for name, value in person.headers(extra).items():
        command += ["-H", f"{name}: {value}"]
    command += ["-s", str(WRK_LUA), server.url, "--", str(path), secrets.token_hex(4)]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((l for l in output.stdout.splitlines() if l.startswith("BENCH-JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{output.stdout}\n{output.stderr}")
    result = json.loads(line.removeprefix("BENCH-JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(v for k, v in result.items() if k.startswith("errors_"))
    return result


def run_python(server: Server, person: Person, spec: tuple[Path, dict], seconds: float, connections: int) -> dict:
    """A small closed-loop load generator, for machines without wrk."""
    import http.client
    import threading

    path, extra = spec
    lines = [line.split("\t", 2) for line in path.read_text().splitlines() if line]
    headers = person.headers(extra)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(number: int):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        count = 0
        while time.monotonic() < deadline:
            method, target, body = (lines[count % len(lines)] + [""])[:3]
            count += 1
            send_headers = dict(headers)
            data = None
            if body:
                data = body.replace("{key}", str(uuid.uuid4())).encode()
                send_headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            try:
                connection.request(method, target, body=data, headers=send_headers)
                answer = connection.getresponse()
                answer.read()
                if answer.status >= 400:
                    errors[0] += 1
                if answer.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                continue
            with lock:
                latencies.append(time.perf_counter() - started)
        connection.close()

    started = time.monotonic()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1e6 if latencies else 0

    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50_us": percentile(50),
            "p95_us": percentile(95), "p99_us": percentile(99), "errors": errors[0]}


def median(values):
    return statistics.median(values) if values else float("nan")


def summarise(samples: list[dict], reference: list[dict] | None = None) -> dict:
    """Medians over the runs. The ratio is taken per run (this endpoint against the constant
    page measured just before it) and then the median: steadier on a shared machine."""
    ratios = [s["rps"] / r["rps"] for s, r in zip(samples, reference)] if reference else []
    return {
        "ratio": median(ratios) if ratios else float("nan"),
        "rps": median([s["rps"] for s in samples]),
        "p50": median([s["p50_us"] for s in samples]) / 1000,
        "p95": median([s["p95_us"] for s in samples]) / 1000,
        "p99": median([s["p99_us"] for s in samples]) / 1000,
        "errors": sum(s["errors"] for s in samples),
        "runs": len(samples),
        "rps_all": [round(s["rps"]) for s in samples],
    }


def table(rows: dict[str, dict]) -> str:
    lines = ["| endpoint | req/s (median) | p50 ms | p95 ms | p99 ms | ratio to trivial | errors | req/s per run |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, row in rows.items():
        lines.append(f"| {name} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} | "
                     f"{row['ratio']:.3f} | {row['errors']} | {', '.join(map(str, row['rps_all']))} |")
    return "\n".join(lines)


# --- Push fan-out --------------------------------------------------------------------------------


def push_figures(name: str = "push_throughput.py", arguments: list[str] | None = None, timeout: float = 120) -> str:
    script = REPO / "bench" / name
    if not script.exists():
        return f"bench/{name} is missing"
    try:
        output = subprocess.run([sys.executable, str(script), *(arguments or [])], capture_output=True, text=True,
                                timeout=timeout, cwd=REPO)
    except subprocess.TimeoutExpired:
        return f"bench/{name} did not finish within {timeout:.0f} s"
    text = (output.stdout.strip() or output.stderr.strip()[-2000:])
    return text if output.returncode == 0 else f"bench/{name} failed ({output.returncode}):\n{text}"


# --- Main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per endpoint (medians are reported)")
    parser.add_argument("--seconds", type=float, default=2, help="seconds of load per endpoint and run")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2), help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=0,
                        help="connections kept busy (default: two per worker, so latency is mostly service time)")
    parser.add_argument("--large-plans", type=int, default=100_000, help="plans in the large database")
    parser.add_argument("--no-scale", action="store_true", help="skip the 100 vs --large-plans comparison")
    parser.add_argument("--no-push", action="store_true", help="skip bench/push_throughput.py and bench/reminders.py")
    parser.add_argument("--reminders", type=int, default=10_000, help="meeting reminders for bench/reminders.py")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="Lighthouse runs per page (0: none)")
    parser.add_argument("--soak", type=float, default=0, help="seconds of mixed load before measuring memory again")
    parser.add_argument("--sqlite", action="store_true", help="SQLite even when PostgreSQL answers")
    parser.add_argument("--python-load", action="store_true", help="the Python load generator, not wrk")
    parser.add_argument("--results", default=str(REPO / "bench" / "RESULTS.md"))
    parser.add_argument("--note", default="", help="a line for RESULTS.md: what changed")
    arguments = parser.parse_args()
    # A SIGTERM (kill, a CI time-out) unwinds like Ctrl-C: the gunicorn servers stop and the
    # throwaway database is dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    import logging

    logging.disable(logging.WARNING)
    arguments.connections = arguments.connections or 2 * arguments.workers
    started = time.monotonic()
    use_wrk = shutil.which("wrk") and not arguments.python_load
    load = run_wrk if use_wrk else run_python
    postgres = postgres_answers() and not arguments.sqlite
    info = machine()
    print(f"Machine: {info['cpu']}, {info['memory']}; load generator: {'wrk' if use_wrk else 'Python'}; "
          f"database: {'PostgreSQL' if postgres else 'SQLite'}")

    secrets_env = {name: secrets.token_urlsafe(32) for name in ("SECRET_KEY", "PID_HASH_KEY", "OIDC_CLIENT_SECRET")}
    os.environ.update({"MIN_PLAN_ENV": "testing"})  # this process only builds databases and cookies

    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="min-plan-bench-")))
        small_url = seeded_throwaway_database(stack, work, "bench_small", SMALL_SYNTHETIC_PLANS, postgres)
        large_url = None
        if postgres and not arguments.no_scale:
            large_url = prepare_large(arguments.large_plans)

        small = Server("small", small_url, secrets_env, arguments.workers, work)
        stack.callback(small.stop)
        large = Server("large", large_url, secrets_env, arguments.workers, work) if large_url else None
        if large:
            stack.callback(large.stop)
        small.wait_ready()
        if large:
            large.wait_ready()

        person, paths = prepare_person(small, secrets_env, small_url, threads=50)
        specs = endpoint_specs(paths, work)
        print(f"Warming up; then {arguments.runs} runs x {len(specs)} endpoints x {arguments.seconds:g} s "
              f"with {arguments.connections} connections on {arguments.workers} workers ...")
        for name, spec in specs.items():
            load(small, person, spec, 1, arguments.connections)
        memory_before = small.worker_rss_mib()

        samples: dict[str, list[dict]] = {name: [] for name in specs}
        for run in range(arguments.runs):
            for name, spec in specs.items():
                samples[name].append(load(small, person, spec, arguments.seconds, arguments.connections))
        rows = {name: summarise(values, samples["trivial"]) for name, values in samples.items()}
        main_table = table(rows)
        print("\n" + main_table + "\n")

        scale_text = ""
        if large:
            big_person, big_paths = prepare_person(large, secrets_env, large_url, threads=0)
            small_spec = (requests_file(work, "overview-small", [f"GET\t{paths['overview']}\t"]), {})
            large_spec = (requests_file(work, "overview-large", [f"GET\t{big_paths['overview']}\t"]), {})
            load(large, big_person, large_spec, 1, arguments.connections)
            scale: dict[str, list[dict]] = {"small": [], "large": []}
            for run in range(arguments.runs):
                scale["small"].append(load(small, person, small_spec, arguments.seconds, arguments.connections))
                scale["large"].append(load(large, big_person, large_spec, arguments.seconds, arguments.connections))
            small_row, large_row = summarise(scale["small"]), summarise(scale["large"])
            ratio = large_row["p95"] / small_row["p95"]
            plans_large = plan_count(large_url)
            messages_large = row_count(large_url, "message")
            scale_text = (
                "| overview on | plans | req/s (median) | p50 ms | p95 ms | p99 ms | errors |\n"
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
                f"| small database | {plan_count(small_url):,} | {small_row['rps']:.0f} | {small_row['p50']:.1f} | "
                f"{small_row['p95']:.1f} | {small_row['p99']:.1f} | {small_row['errors']} |\n"
                f"| large database ({messages_large:,} messages) | {plans_large:,} | {large_row['rps']:.0f} | {large_row['p50']:.1f} | "
                f"{large_row['p95']:.1f} | {large_row['p99']:.1f} | {large_row['errors']} |\n\n"
                f"p95 large / small: **{ratio:.2f}** (goal ≤ 1.25)"
            )
            print(scale_text + "\n")

        lighthouse_text = ""
        if arguments.lighthouse_runs > 0:
            from bench.lighthouse import lighthouse_table

            print(f"Lighthouse, {arguments.lighthouse_runs} runs per page ...")
            lighthouse_text = lighthouse_table(small.url, f"{COOKIE_NAME}={person.cookie}", paths,
                                               arguments.lighthouse_runs)
            print(lighthouse_text + "\n")

        if arguments.soak > 0:
            print(f"Soak: {arguments.soak:g} s of mixed load ...")
            soak_file = requests_file(work, "soak", [
                f"GET\t{paths['overview']}\t", f"GET\t{paths['plan page']}\t", f"GET\t{paths['fragment']}\t",
            ])
            soaked = load(small, person, (soak_file, {}), arguments.soak, arguments.connections)
            print(f"  {soaked['requests']:,} requests, {soaked['rps']:.0f}/s, {soaked['errors']} errors")
        memory_after = small.worker_rss_mib()
        soak_note = "the runs" if not arguments.soak else (
            f"the runs and {arguments.soak:g} s of soak ({soaked['requests']:,} requests, {soaked['errors']} errors)")
        memory_lines = [
            f"worker {pid}: {memory_before.get(pid, float('nan')):.1f} MiB after warm-up, {after:.1f} MiB after "
            f"{soak_note} "
            f"({after - memory_before.get(pid, after):+.1f} MiB)"
            for pid, after in memory_after.items()
        ]
        print("Memory (resident, per gunicorn worker):\n  " + "\n  ".join(memory_lines))

    push_text = reminders_text = ""
    if not arguments.no_push:
        print("\nPush fan-out (bench/push_throughput.py) ...")
        push_text = push_figures()
        print(push_text)
        print(f"\nMeeting reminders (bench/reminders.py --reminders {arguments.reminders}) ...")
        # On the database the pages ran on: PostgreSQL when it answers, as in production.
        reminders_text = push_figures("reminders.py", ["--reminders", str(arguments.reminders)]
                                      + (["--postgres"] if postgres else []), timeout=1800)
        print(reminders_text)

    elapsed = time.monotonic() - started
    verdict = f"overview / trivial = **{rows['overview']['ratio']:.3f}** (goal ≥ 0.5)"
    print(f"\n{verdict}\nDone in {elapsed:.0f} s.")
    write_results(Path(arguments.results), info, arguments, postgres, use_wrk, main_table, verdict, scale_text,
                  lighthouse_text, memory_lines, push_text, reminders_text, elapsed)


def write_results(path: Path, info: dict, arguments, postgres: bool, use_wrk: bool, main_table: str, verdict: str,
                  scale_text: str, lighthouse_text: str, memory_lines: list[str], push_text: str, reminders_text: str,
                  elapsed: float) -> None:
    command = "bench/run.py " + shlex.join(sys.argv[1:])
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=REPO).stdout.strip()
        commit += " + uncommitted changes" if dirty else ""
    except OSError:
        commit = "-"
    parts = [
        f"## {when} — {commit}",
        "",
        *([f"What changed: {arguments.note}", ""] if arguments.note else []),
        f"- command: `{command}` ({elapsed:.0f} s)",
        f"- machine: {info['cpu']}, {info['memory']}, {info['os']}; Python {info['python']}, "
        f"gunicorn {info['gunicorn']} ({arguments.workers} sync workers), Flask {info['flask']}",
        f"- load: {info['wrk'] if use_wrk else 'the Python load generator'}, {arguments.connections} connections, "
        f"{arguments.runs} runs x {arguments.seconds:g} s per endpoint, endpoints interleaved; medians; on 127.0.0.1, "
        f"so the load generator shares the CPUs",
        f"- database: {('PostgreSQL, ' + info['postgresql']) if postgres else 'SQLite'}",
        "",
        main_table,
        "",
        verdict,
        "",
    ]
    if scale_text:
        parts += ["Scale (the same overview, interleaved runs):", "", scale_text, ""]
    if lighthouse_text:
        parts += [f"Lighthouse 12, mobile emulation, logged in (bench/lighthouse.py, {arguments.lighthouse_runs} runs "
                  "per page after one warm-up):", "", lighthouse_text, ""]
    parts += ["Memory (resident, per worker):", "", *[f"- {line}" for line in memory_lines], ""]
    if push_text:
        parts += ["Push fan-out (bench/push_throughput.py, defaults):", "", "```", push_text, "```", ""]
    if reminders_text:
        parts += [f"Meeting reminders end to end (bench/reminders.py --reminders {arguments.reminders}):", "",
                  "```", reminders_text, "```", ""]
    header = "" if path.exists() else (
        "# Benchmark results\n\nAppended by `make bench` (bench/run.py). Shared, noisy machines: compare ratios "
        "and medians, not single figures.\n\n"
    )
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(header + "\n".join(parts) + "\n")
    print(f"Results appended to {path}")


if __name__ == "__main__":
    main()
