"""Min plan as a municipality runs it, on one machine: nginx ending TLS in front of gunicorn
app servers with the production settings, push workers, PostgreSQL, Redis and the stand-in
ID-porten (behind nginx too, over HTTPS, as the real one is).

    python tools/cluster.py run            # make cluster: start, print the addresses, wait for Ctrl-C

The production-shaped tests (tests/production) and the cluster soak (bench/soak.py --cluster)
start the same processes through the Cluster class, so what is tested is what `make cluster` runs.
Every process is started here and stopped here; nothing else on the machine is touched.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Callable

import requests

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# nginx leaves a server that refused a connection alone this long (max_fails=1): a server
# that died is skipped without every request waiting on it.
NGINX_FAIL_TIMEOUT_SECONDS = 2
PG_SERVER = os.environ.get("CLUSTER_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, what: str, timeout: float = 60, process: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} stopped (exit {process.returncode}); see {log}")
        try:
            if check():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout} s; see {log}")


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (gunicorn's or nginx's workers), from /proc."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.add(int(stat.parent.name))
    return children


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, made at set-up (never committed).
    The app trusts it for its calls to the stand-in (REQUESTS_CA_BUNDLE)."""
    cert, key = folder / "tls-cert.pem", folder / "tls-key.pem"
    if not cert.exists():
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "30", "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
            check=True, capture_output=True,
        )
    return cert, key


class Process:
    """One child process with its own log file, in a process group of its own."""

    def __init__(self, name: str, command: list[str], env: dict, run: Path):
        self.name, self.command, self.env = name, command, env
        self.log = run / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Process":
        handle = open(self.log, "a", encoding="utf-8")
        self.process = subprocess.Popen(self.command, env=self.env, cwd=REPO, stdout=handle,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()
        return self

    def send_signal(self, number: int) -> None:
        if self.running:
            os.killpg(self.process.pid, number)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, number: int = signal.SIGTERM, timeout: float = 30) -> None:
        if not self.running:
            return
        self.send_signal(number)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.send_signal(signal.SIGKILL)
            self.process.wait()


class AppServer(Process):
    """gunicorn with the product's gunicorn.conf.py on a port of its own."""

    def __init__(self, name: str, env: dict, run: Path, workers: int):
        self.port, self.metrics_port = free_port(), free_port()
        metrics_dir = run / f"{name}-metrics"
        metrics_dir.mkdir(exist_ok=True)
        env = {**env, "METRICS_BIND": f"127.0.0.1:{self.metrics_port}", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        super().__init__(name, [str(BIN / "gunicorn"), "--config", str(REPO / "gunicorn.conf.py"),
                                "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                                "patient_app:create_app()"], env, run)
        self.url = f"http://127.0.0.1:{self.port}"
        self.metrics_url = f"http://127.0.0.1:{self.metrics_port}/metrics"

    def wait_ready(self, timeout: float = 60) -> None:
        wait_until(lambda: requests.get(self.url + "/healthz/ready", timeout=2).status_code == 200,
                   f"app server {self.name}", timeout, self.process, self.log)

    def worker_pids(self) -> list[int]:
        return sorted(children_of(self.process.pid)) if self.process is not None else []


class Cluster:
    """Start with start(), stop with stop() (or use it as a context manager)."""

    def __init__(self, run: Path, app_servers: int = 2, workers: int = 1, push_workers: int = 2,
                 database: str | None = None, trusted_proxies: int = 1, extra_env: dict | None = None,
                 app_port: int | None = None, push_app: str = "patient_app",
                 seed: Callable[[str], None] | None = None):
        self.run = run
        # Called with the database URL after the migrations and the demo people, before any
        # server starts: the cluster soak adds its synthetic plans and push subscriptions.
        self.seed = seed
        run.mkdir(parents=True, exist_ok=True)
        self.cert, self.key = make_certificate(run)
        self.app_port, self.standin_port, self.standin_login_port = app_port or free_port(), free_port(), free_port()
        self.redis_port, self.standin_backend_port, self.standin_login_backend_port = free_port(), free_port(), free_port()
        self.register_port = free_port()
        self.app_url = f"https://127.0.0.1:{self.app_port}"
        self.issuer = f"https://localhost:{self.standin_port}"
        # ID-porten's login and logout pages have an origin of their own (login.idporten.no).
        self.standin_login_url = f"https://localhost:{self.standin_login_port}"
        self.database = database or "min_plan_cluster_" + secrets.token_hex(4)
        self.database_url = f"{PG_SERVER}/{self.database}"
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.env = {**os.environ, **self._secrets(), **(extra_env or {}),
                    "MIN_PLAN_ENV": "production", "DATABASE_URL": self.database_url,
                    "RATELIMIT_STORAGE_URI": self.redis_url, "TRUSTED_PROXIES": str(trusted_proxies),
                    "OIDC_ISSUER": self.issuer, "REQUESTS_CA_BUNDLE": str(self.cert),
                    "POPULATION_REGISTER_URL": f"http://127.0.0.1:{self.register_port}",
                    "FLASK_APP": "patient_app", "PYTHONUNBUFFERED": "1"}
        # push_app: FLASK_APP of the push workers (the cluster soak's allow its local push service).
        self.draining: set[str] = set()  # servers nginx sends nothing new to (graceful_restart)
        self.servers = [AppServer(f"app-{n + 1}", self.env, run, workers) for n in range(app_servers)]
        self.push_workers = [
            Process(f"push-worker-{n + 1}", [str(BIN / "flask"), "push-worker"],
                    {**self.env, "METRICS_BIND": f"127.0.0.1:{free_port()}", "FLASK_APP": push_app}, run)
            for n in range(push_workers)
        ]
        self.redis = Process("redis", ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
                                       "--save", "", "--appendonly", "no", "--dir", str(run)], self.env, run)
        self.nginx = Process("nginx", [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(run), "-c", str(run / "nginx.conf"),
                                       "-e", str(run / "nginx-error.log"), "-g", "daemon off;"], self.env, run)
        self.register = Process("population-register", [str(BIN / "python"), "-m", "population_register_standin"], {
            **self.env, "POPULATION_REGISTER_STANDIN_PORT": str(self.register_port),
            "POPULATION_REGISTER_STANDIN_PERSONS": str(run / "standin" / "population-register.json")}, run)
        self.standin = Process("standin", [str(BIN / "python"), "-m", "idporten_standin"], {
            **self.env, "IDPORTEN_STANDIN_PORT": str(self.standin_backend_port),
            "IDPORTEN_STANDIN_ISSUER": self.issuer,
            "IDPORTEN_STANDIN_LOGIN_PORT": str(self.standin_login_backend_port),
            "IDPORTEN_STANDIN_LOGIN_URL": self.standin_login_url,
            "IDPORTEN_STANDIN_CLIENTS": str(run / "standin" / "clients.json"),
            "IDPORTEN_STANDIN_PERSONS": str(run / "standin" / "persons.json")}, run)

    def _secrets(self) -> dict:
        """Random secrets for this cluster, kept in its folder so a restart keeps sessions."""
        path = self.run / "secrets.json"
        if not path.exists():
            from patient_app.notify.vapid import generate_private_key

            values = {key: secrets.token_urlsafe(32) for key in ("SECRET_KEY", "PID_HASH_KEY", "OIDC_CLIENT_SECRET")}
            values["VAPID_PRIVATE_KEY"] = generate_private_key()
            path.write_text(json.dumps(values))
            path.chmod(0o600)
        return json.loads(path.read_text())

    # --- Starting and stopping -------------------------------------------------------------

    def start(self) -> "Cluster":
        try:
            self.redis.start()
            self._prepare_database()
            self._write_nginx_conf()
            self.nginx.start()
            self.standin.start()
            self.register.start()
            for server in self.servers:
                server.start()
            for worker in self.push_workers:
                worker.start()
            wait_until(lambda: socket.create_connection(("127.0.0.1", self.redis_port), 1), "redis", 10,
                       self.redis.process, self.redis.log)
            for server in self.servers:
                server.wait_ready()
            wait_until(lambda: requests.get(self.issuer + "/.well-known/openid-configuration",
                                            verify=str(self.cert), timeout=2).ok,
                       "the stand-in behind nginx", 30, self.standin.process, self.standin.log)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for process in [*self.push_workers, *self.servers, self.standin, self.register, self.nginx, self.redis]:
            process.stop()

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def flask(self, *arguments: str) -> str:
        done = subprocess.run([str(BIN / "flask"), *arguments], env=self.env, cwd=REPO,
                              capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(arguments)} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def _prepare_database(self) -> None:
        from sqlalchemy import create_engine, text

        admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": self.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{self.database}"'))
        admin.dispose()
        self.flask("db-upgrade")
        self.flask("seed-demo")
        if self.seed is not None:
            self.seed(self.database_url)
        self.flask("standin-config", str(self.run / "standin"), "--app-url", self.app_url)

    def drop_database(self) -> None:
        from sqlalchemy import create_engine, text

        admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
        admin.dispose()

    def _write_nginx_conf(self) -> None:
        upstreams = "\n".join(
            f"        server 127.0.0.1:{server.port} max_fails=1 fail_timeout={NGINX_FAIL_TIMEOUT_SECONDS}s"
            + (" down;" if server.name in self.draining else ";")
            for server in self.servers
        )
        standin = "".join(
            self._tls_server(port, backend)
            for port, backend in ((self.standin_port, self.standin_backend_port),
                                  (self.standin_login_port, self.standin_login_backend_port))
        )
        values = {"RUN": self.run, "APP_SERVERS": upstreams, "APP_LISTEN": f"127.0.0.1:{self.app_port}",
                  "CERT": self.cert, "KEY": self.key, "EXTRA_SERVERS": standin}
        # ${NAME} only: nginx's own $variables stay as they are.
        template = (REPO / "deploy" / "nginx.conf.template").read_text()
        (self.run / "nginx.conf").write_text(re.sub(r"\$\{([A-Z_]+)\}", lambda m: str(values[m.group(1)]), template))

    def _tls_server(self, port: int, backend: int) -> str:
        """An nginx server block ending TLS for one of the stand-in's origins."""
        return f"""
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate {self.cert};
        ssl_certificate_key {self.key};
        location / {{
            proxy_pass http://127.0.0.1:{backend};
            proxy_set_header Host $http_host;
        }}
    }}"""

    # --- What the soak and the rolling restart do -----------------------------------------

    def rolling_restart(self) -> None:
        """One server at a time, each restarted gracefully; nobody notices."""
        for server in self.servers:
            self.graceful_restart(server)

    def graceful_restart(self, server: AppServer) -> None:
        """Take the server out of nginx first, then SIGTERM it (requests in flight finish),
        start it again, wait until it is ready, and put it back.

        Without the first step gunicorn's SIGTERM resets the connections still waiting in
        its listen queue: nginx retries a GET on the other server, but never a POST, so a
        message being sent got a 502 (seen in the cluster soak, bench/RESULTS.md)."""
        self.draining.add(server.name)
        self._reload_nginx()
        server.stop(signal.SIGTERM)
        server.start()
        server.wait_ready()
        self.draining.discard(server.name)
        self._reload_nginx()

    def _reload_nginx(self) -> None:
        """New configuration: nginx starts new workers with it, and the old ones finish what
        they were sending (SIGHUP). Waits until the old workers are gone."""
        self._write_nginx_conf()
        before = self._nginx_workers()
        self.nginx.process.send_signal(signal.SIGHUP)
        wait_until(lambda: not (self._nginx_workers() & before), "nginx reload", 30, self.nginx.process,
                   self.run / "nginx-error.log")

    def _nginx_workers(self) -> set[int]:
        return children_of(self.nginx.process.pid)


def main() -> None:
    if sys.argv[1:] != ["run"]:
        raise SystemExit(__doc__)
    # A fixed address for people (CLUSTER_PORT, default 8443); everything behind it takes free ports.
    cluster = Cluster(REPO / "instance" / "cluster", database="min_plan_cluster",
                      app_port=int(os.environ.get("CLUSTER_PORT", "8443")))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with cluster:
        print(f"\n  Min plan (nginx, TLS):  {cluster.app_url}\n"
              f"  Stand-in ID-porten:     {cluster.issuer} (login pages on {cluster.standin_login_url})\n"
              f"  App servers:            {', '.join(server.url for server in cluster.servers)}\n"
              f"  Redis:                  {cluster.redis_url}\n"
              f"  PostgreSQL:             {cluster.database_url}\n"
              f"  Logs:                   {cluster.run}/*.log\n"
              f"  The certificate is self-signed ({cluster.cert}): the browser asks to accept it\n"
              f"  for the app and for each of the stand-in's two addresses.\n"
              f"  Ctrl-C stops everything started here.\n", flush=True)
        try:
            while all(process.running for process in [cluster.nginx, cluster.redis, *cluster.servers]):
                time.sleep(1)
            print("A process stopped; see the logs. Stopping the rest.", file=sys.stderr)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
