"""What the cluster soak (bench/soak_cluster.py) measures besides the people's own answers:
notifications end to end, memory per process, limits across servers, and the overview's
throughput through nginx. Each piece is used once by the soak; none starts a server itself.
"""

from __future__ import annotations

import collections
import http.client
import math
import multiprocessing
import re
import ssl
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.run import COOKIE_NAME, USER_AGENT

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PLANS_PER_COORDINATOR = 40  # bench/seed_large.py: one coordinator per 40 plans
METRIC_LINE = re.compile(r"^min_plan_http_requests_total\{([^}]*)\} ([0-9.e+]+)$", re.MULTILINE)


# --- Notifications: a fake push service, and a log of every outbox row ever written -----------


def _push_service(devices: int, latency: float, infos, commands, results) -> None:
    """In a process of its own, so that decrypting every request does not share the soak's CPU."""
    from tests.notify.fake_push import FakePushService

    with FakePushService(latency=latency) as service:
        infos.put([service.subscribe().info for _ in range(devices)])
        commands.get()  # "done"
        with service.lock:
            results.put([(r.key_id, (r.payload or {}).get("url"), r.status, r.vapid_valid and r.payload is not None, r.at)
                         for r in service.received])


class PushService:
    """tests/notify/fake_push.py on 127.0.0.1, answering 201 after ``latency`` seconds, as a push
    service across the internet does; the longer a batch takes, the likelier a kill lands mid-batch."""

    def __init__(self, devices: int, latency: float):
        self.infos_queue, self.commands, self.results = (multiprocessing.Queue() for _ in range(3))
        self.process = multiprocessing.Process(target=_push_service, daemon=True,
                                               args=(devices, latency, self.infos_queue, self.commands, self.results))
        self.process.start()
        self.infos = self.infos_queue.get(timeout=60)

    def received(self) -> list[tuple]:
        """(key id, url, status, decrypted with a valid VAPID signature, time) of every request; stops the service."""
        self.commands.put("done")
        received = self.results.get(timeout=120)
        self.process.join(timeout=10)
        return received

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()


def coordinator_count(plans: int) -> int:
    return math.ceil(plans / PLANS_PER_COORDINATOR)


OUTBOX_LOG = """
CREATE TABLE soak_outbox_log (outbox_id bigint, subscription_id integer, url text,
                              logged_at timestamptz DEFAULT clock_timestamp());
CREATE FUNCTION soak_log_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO soak_outbox_log (outbox_id, subscription_id, url) VALUES (NEW.id, NEW.subscription_id, NEW.url);
    RETURN NULL;
END $$;
CREATE TRIGGER soak_log_outbox AFTER INSERT ON notification_outbox FOR EACH ROW EXECUTE FUNCTION soak_log_outbox();
"""


def prepare_database(url: str, plans: int, devices_per_coordinator: int, infos: list[dict]) -> None:
    """The synthetic plans; push subscriptions for every coordinator (the people the patients'
    messages notify), pointing at the fake push service; and a trigger that logs each outbox row
    as it is written, so rows the workers later delete can still be counted. A row whose
    transaction rolls back (a double tap's loser) leaves no log row either.

    The subscriptions are written here, not registered through the app: in production the app
    refuses a push endpoint on 127.0.0.1 (PUSH_ALLOW_LOCAL_ENDPOINTS is off), and so it should."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from bench.seed_large import seed
    from patient_app.models import PushSubscription

    # seed() also adds demo people keyed with the tests' PID_HASH_KEY: unused twins in a throwaway database.
    seed(url, plans, quiet=True)
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            coordinators = session.scalars(
                text("SELECT id FROM person WHERE name LIKE 'Koordinator %' ORDER BY id")).all()
            owners = [person for person in coordinators for _ in range(devices_per_coordinator)]
            session.add_all([PushSubscription(person_id=person, endpoint=info["endpoint"], p256dh=info["keys"]["p256dh"],
                                              auth=info["keys"]["auth"], device_label="Soak")
                             for person, info in zip(owners, infos)])
            session.commit()
        with engine.begin() as connection:
            connection.exec_driver_sql(OUTBOX_LOG)
    finally:
        engine.dispose()


def rows(url: str, statement: str, **values) -> list[tuple]:
    """One statement's rows, on a connection of its own (these are asked once or twice a run)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(statement), values)]
    finally:
        engine.dispose()


def scalar(url: str, statement: str, **values):
    return rows(url, statement, **values)[0][0]


def outbox_left(url: str) -> int:
    return scalar(url, "SELECT count(*) FROM notification_outbox")


def notification_figures(url: str, received: list[tuple]) -> dict:
    """Rows written vs requests the push service got, per device and thread (a thread's
    notifications all look alike, so they are matched by count and in time order)."""
    key_of = {subscription: endpoint.rsplit("/", 1)[1]
              for subscription, endpoint in rows(url, "SELECT id, endpoint FROM push_subscription")}
    created: dict[tuple, list[float]] = collections.defaultdict(list)
    for subscription, path, logged_at in rows(url, "SELECT subscription_id, url, logged_at FROM soak_outbox_log"):
        created[key_of[subscription], path].append(logged_at.timestamp())
    delivered: dict[tuple, list[float]] = collections.defaultdict(list)
    for key, path, status, _valid, at in received:
        if 200 <= status < 300:
            delivered[key, path].append(at)
    duplicates = missing = 0
    delays: list[float] = []
    for pair in set(created) | set(delivered):
        made, got = sorted(created.get(pair, [])), sorted(delivered.get(pair, []))
        duplicates += max(0, len(got) - len(made))
        missing += max(0, len(made) - len(got))
        delays += [arrived - written for written, arrived in zip(made, got)]
    delays.sort()
    return {
        "created": sum(len(times) for times in created.values()),
        "requests": len(received),
        "delivered": sum(len(times) for times in delivered.values()),
        "verified": sum(1 for *_, valid, _at in received if valid),
        "duplicates": duplicates,
        "missing": missing,
        "left": outbox_left(url),
        "delay_p50": delays[len(delays) // 2] if delays else 0.0,
        "delay_max": delays[-1] if delays else 0.0,
    }


# --- Memory of every process the cluster runs ----------------------------------------------


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def resident_mib(pid: int) -> float | None:
    try:
        return int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())[1]) / 1024
    except (OSError, TypeError):
        return None


class MemorySampler:
    """Every few seconds, the resident memory of each app server's master and workers, each push
    worker, nginx and Redis. A process started during the run (a restart) is measured from when
    it has settled, so its first requests' caches do not count as growth."""

    def __init__(self, cluster, every: float = 5.0):
        self.cluster, self.every = cluster, every
        self.samples: dict[int, tuple[str, list[tuple[float, float]]]] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def processes(self) -> dict[int, str]:
        found = {}
        for server in self.cluster.servers:
            if server.running:
                found[server.process.pid] = f"{server.name} master"
                found.update({pid: f"{server.name} worker" for pid in server.worker_pids()})
        for process in [*self.cluster.push_workers, self.cluster.redis]:
            if process.running:
                found[process.process.pid] = process.name
        if self.cluster.nginx.running:
            found[self.cluster.nginx.process.pid] = "nginx master"
            found.update({pid: "nginx worker" for pid in children(self.cluster.nginx.process.pid)})
        return found

    def _run(self) -> None:
        while not self.stop.is_set():
            now = time.monotonic()
            for pid, label in self.processes().items():
                size = resident_mib(pid)
                if size is not None:
                    self.samples.setdefault(pid, (label, []))[1].append((now, size))
            self.stop.wait(self.every)

    def growth(self, measured_from: float, settle: float) -> list[dict]:
        """Per process alive at the end: size once settled (not before ``measured_from``) and at the end."""
        alive = set(self.processes())
        table = []
        for pid, (label, samples) in sorted(self.samples.items(), key=lambda item: item[1][0]):
            start = max(measured_from, samples[0][0] + settle)
            settled = [(at, size) for at, size in samples if at >= start]
            if pid not in alive or len(settled) < 2:
                continue
            (first_at, first), (last_at, last) = settled[0], settled[-1]
            table.append({"label": label, "pid": pid, "from": first_at, "minutes": (last_at - first_at) / 60,
                          "first": first, "last": last, "growth": (last - first) / first})
        return table


# --- Limits across servers, and the overview's throughput ----------------------------------


def https_session(cluster) -> requests.Session:
    http = requests.Session()
    # trust_env off: the machine's REQUESTS_CA_BUNDLE would otherwise win over verify.
    http.trust_env = False
    http.verify = str(cluster.cert)
    return http


def requests_by_status(server, method: str, route: str) -> collections.Counter:
    """From a server's metrics: answers to one route, by status (since that server started)."""
    counts: collections.Counter = collections.Counter()
    try:
        text = requests.get(server.metrics_url, timeout=5).text
    except requests.RequestException:
        return counts
    for labels, value in METRIC_LINE.findall(text):
        found = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        if found.get("method") == method and found.get("route") == route:
            counts[found["status"]] += int(float(value))
    return counts


def login_presses(cluster, attempts: int) -> list[int]:
    """"Logg inn" pressed ``attempts`` times by one client through nginx, each in a fresh browser.
    Every other press opens the page twice: with only GET, POST, GET, POST… round-robin would
    send every POST to the same server."""
    statuses = []
    for number in range(attempts):
        http = https_session(cluster)
        for _ in range(1 + number % 2):
            page = http.get(cluster.app_url + "/login", timeout=30)
        answer = http.post(cluster.app_url + "/login", data={"csrf_token": CSRF.search(page.text)[1]},
                           headers={"Sec-Fetch-Site": "same-origin", "User-Agent": USER_AGENT},
                           allow_redirects=False, timeout=30)
        statuses.append(answer.status_code)
    return statuses


class Browser:
    """A signed-in person's browser over HTTPS: the session cookie sent by hand and kept up to
    date from each answer (a Cookie header given by hand wins over requests' cookie jar)."""

    def __init__(self, cluster, cookie: str):
        self.cluster, self.cookie, self.http = cluster, cookie, https_session(cluster)

    def request(self, method: str, path: str, data: dict | None = None) -> requests.Response:
        answer = self.http.request(method, self.cluster.app_url + path, data=data, headers=signed_in_headers(self.cookie),
                                   allow_redirects=False, timeout=30)
        found = re.search(rf"{COOKIE_NAME}=([^;]+)", answer.headers.get("Set-Cookie", ""))
        if found:
            self.cookie = found[1]
        return answer

    def plan(self) -> str:
        """The path of the person's plan, as /plans sends them there."""
        answer = self.request("GET", "/plans")
        if answer.status_code != 302:
            raise SystemExit(f"/plans answered {answer.status_code} for a signed-in person")
        return re.sub(r"^https?://[^/]+", "", answer.headers["Location"]).rstrip("/")


def signed_in_headers(cookie: str) -> dict:
    return {"Cookie": f"{COOKIE_NAME}={cookie}", "User-Agent": USER_AGENT, "Sec-Fetch-Site": "same-origin",
            "Accept-Encoding": "gzip"}


def message_burst(cluster, cookie: str, attempts: int) -> list[int]:
    """One person posts ``attempts`` new conversations as fast as nginx answers."""
    browser = Browser(cluster, cookie)
    form_path = browser.plan() + "/messages/new"
    token = CSRF.search(browser.request("GET", form_path).text)[1]
    statuses = []
    for number in range(attempts):
        form = {"csrf_token": token, "subject": f"Grense {number}", "idempotency_key": str(uuid.uuid4()),
                "body": f"Grense {number}-{uuid.uuid4().hex[:8]}: en melding til for mange."}
        statuses.append(browser.request("POST", form_path, data=form).status_code)
    return statuses


def overview_rate(cluster, cookie: str, path: str, seconds: float, connections: int) -> dict:
    """Closed-loop load: ``connections`` keep-alive HTTPS connections to nginx asking for one
    person's overview, for ``seconds``; answers per second, latency percentiles, failures."""
    context = ssl.create_default_context(cafile=str(cluster.cert))
    headers = signed_in_headers(cookie)
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPSConnection("127.0.0.1", cluster.app_port, context=context, timeout=30)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                answer = connection.getresponse()
                answer.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                with lock:
                    failures[0] += 1
                continue
            with lock:
                if answer.status == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    failures[0] += 1
        connection.close()

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=connections) as pool:
        for future in [pool.submit(client) for _ in range(connections)]:
            future.result()  # a client's unexpected error stops the soak rather than lowering the rate
    elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(share: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * share))] * 1000 if latencies else 0.0

    return {"rps": len(latencies) / elapsed, "p50_ms": percentile(0.5), "p95_ms": percentile(0.95),
            "failures": failures[0], "answers": len(latencies)}
