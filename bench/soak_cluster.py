"""make soak SOAK_ARGS="--cluster": the soak through nginx, on two app servers and two push
workers (tools/cluster.py), while a script breaks things.

    .venv/bin/python bench/soak.py --cluster [--users 50] [--minutes 10] [--warm-up 60] [--workers 2]
                                             [--short] [--throughput-seconds 15] [--throughput-rounds 3]

The same simulated people as bench/soak.py (journeys, replies, double taps), over HTTPS
to nginx, which shares them round-robin between the app servers. After the warm-up, at
10 %, 35 % and 65 % of the measured minutes, a script:

1. kills push worker 1 with SIGKILL while it holds a claimed batch (it waits until the
   outbox shows rows claimed by that process), and starts it again;
2. kills app server 1 with SIGKILL (master and workers at once), and starts it again;
3. restarts app server 2 gracefully: out of nginx, SIGTERM, start, ready, back in.

A form answered 5xx is sent again once, with the same idempotency key, as a person
would press again. Afterwards: the login limit and the message limit are tried through
nginx (exactly N of N+1 allowed across both servers), the overview's throughput through
nginx is measured with app server 2 stopped and then with both, and the soak waits until
the outbox is empty (the killed worker's rows come back when their lease ends). The
push service is tests/notify/fake_push.py, which decrypts every notification and checks
its VAPID signature; bench/cluster_probes.py says why its subscriptions are written
straight into the database.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
import traceback
from contextlib import ExitStack
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import cluster_probes as probes  # noqa: E402
from bench.cluster_report import report  # noqa: E402
from bench.run import REPO, SMALL_SYNTHETIC_PLANS, machine, make_session_cookies  # noqa: E402
from bench.soak import SoakUser, Tally, arguments_parser, load_average, patients, run_users, stored_texts, write_results  # noqa: E402
from tools.cluster import NGINX_FAIL_TIMEOUT_SECONDS, Cluster  # noqa: E402

DEVICES_PER_COORDINATOR = 3  # a phone, a tablet, a laptop: each message is one outbox row per device
PUSH_LATENCY_SECONDS = 0.15  # a push service across the internet; batches last long enough to be hit
LEASE_SECONDS = 120  # notify/worker.py's default lease: a killed worker's rows are sent again after it
LOGIN_LIMIT, MESSAGE_LIMIT = 10, 30  # config.BASE: "10 per minute; …", "30 per minute; …"
MID_BATCH_ROWS = 5  # the push worker is killed holding at least this many claimed rows, when it can be
IN_FLIGHT_SECONDS = 2.0  # a 5xx this soon after the SIGKILL was in flight on the killed server


class ClusterTally(Tally):
    """Tally, plus when each 5xx came (to tell those in flight on the killed server from others)."""

    def __init__(self):
        super().__init__()
        self.timed_errors: list[tuple[float, str, str, int]] = []
        self.resent = 0

    def answer(self, method: str, path: str, status: int) -> None:
        super().answer(method, path, status)
        if status >= 500:
            with self.lock:
                self.timed_errors.append((time.monotonic(), method, path, status))


class ClusterSoakUser(SoakUser):
    """A SoakUser over HTTPS to nginx, trusting the cluster's certificate."""

    def __init__(self, server, cookie, tally, rng, think):
        super().__init__(server, cookie, tally, rng, think)
        self.http.trust_env = False  # the machine's REQUESTS_CA_BUNDLE would otherwise win over verify
        self.http.verify = str(server.cert)

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        answer = super().request(method, path, data=data, headers=headers)
        if method == "POST" and answer is not None and answer.status_code >= 500 and data and "body" in data:
            # The person presses again; the same idempotency key keeps it one message.
            with self.tally.lock:
                self.tally.unsure.add(data["body"])
                self.tally.resent += 1
            self.pause()
            answer = super().request(method, path, data=data, headers=headers)
        return answer


class Chaos:
    """Kills and restarts at set times after the load started; what it did, and when, in ``events``."""

    def __init__(self, cluster: Cluster, started: float, schedule: dict[str, float]):
        self.cluster, self.started, self.schedule = cluster, started, schedule
        self.events: list[tuple[float, str]] = []
        self.app_killed_at: float | None = None
        self.graceful: tuple[float, float] | None = None  # from SIGTERM to ready again
        self.push_killed_at: float | None = None
        self.rows_held = 0  # claimed by the push worker when it was killed: may be sent twice
        self.thread = threading.Thread(target=self.run, daemon=True)

    def note(self, text: str) -> None:
        self.events.append((time.monotonic() - self.started, text))
        print(f"  [{time.monotonic() - self.started:6.1f} s] {text}", flush=True)

    def wait_for(self, name: str) -> None:
        time.sleep(max(0.0, self.started + self.schedule[name] - time.monotonic()))

    def run(self) -> None:
        steps = [("push", self.kill_push_worker_mid_batch), ("kill", self.kill_app_server),
                 ("restart", self.restart_app_server_gracefully)]
        for name, step in steps:
            self.wait_for(name)
            try:
                step()
            except Exception as error:  # noqa: BLE001 - shown in the report, and the soak goes on
                self.note(f"{step.__name__} failed: {type(error).__name__}: {error}")
                traceback.print_exc()

    def kill_push_worker_mid_batch(self) -> None:
        from sqlalchemy import create_engine, text

        worker = self.cluster.push_workers[0]
        pid, held = worker.process.pid, 0
        engine = create_engine(self.cluster.database_url)
        claimed = text("SELECT count(*) FROM notification_outbox WHERE claimed_by LIKE :pattern")
        # A batch of a few rows if one comes within 40 s, else any batch within 20 s more.
        began = time.monotonic()
        with engine.connect() as connection:
            while time.monotonic() < began + 60:
                held = connection.execute(claimed, {"pattern": f"%-{pid}-%"}).scalar()
                connection.commit()
                if held >= MID_BATCH_ROWS or (held and time.monotonic() > began + 40):
                    break
                time.sleep(0.02)
            worker.send_signal(signal.SIGKILL)
            worker.process.wait()
            self.push_killed_at = time.monotonic()
            self.rows_held = connection.execute(claimed, {"pattern": f"%-{pid}-%"}).scalar()
        engine.dispose()
        self.note(f"SIGKILL {worker.name} " + (f"mid-batch: it held {self.rows_held} claimed row(s)"
                                               if held else "(it claimed nothing for 60 s: not mid-batch)"))
        time.sleep(3)
        worker.start()
        self.note(f"{worker.name} started again")

    def kill_app_server(self) -> None:
        server = self.cluster.servers[0]
        self.app_killed_at = time.monotonic()
        server.send_signal(signal.SIGKILL)  # the whole process group: master and workers
        server.process.wait()
        self.note(f"SIGKILL {server.name} (master and workers)")
        time.sleep(3)
        server.start()
        server.wait_ready(timeout=120)
        self.note(f"{server.name} started again and ready")

    def restart_app_server_gracefully(self) -> None:
        server = self.cluster.servers[1]
        began = time.monotonic()
        self.note(f"{server.name} out of nginx, then SIGTERM, start, ready, back in (Cluster.graceful_restart)")
        self.cluster.graceful_restart(server)
        self.graceful = (began, time.monotonic())
        self.note(f"{server.name} started again and ready")


def parse_arguments():
    parser = arguments_parser()
    parser.add_argument("--throughput-seconds", type=float, default=15,
                        help="seconds of overview load with one app server, and again with two")
    parser.add_argument("--throughput-rounds", type=int, default=3, help="one server, then two: this many times")
    parser.set_defaults(workers=2)
    parsed = parser.parse_args()
    if parsed.short:
        parsed.minutes, parsed.warm_up, parsed.throughput_seconds, parsed.throughput_rounds = 1, 15, 8, 1
    return parsed


def limits_across_servers(cluster: Cluster, cookie: str) -> dict:
    """N+1 login presses from one address and N+1 messages from one person, through nginx:
    exactly N allowed, whichever server answered (each server's metrics say how many it did)."""
    before = [probes.requests_by_status(server, "POST", "/login") for server in cluster.servers]
    logins = probes.login_presses(cluster, LOGIN_LIMIT + 1)
    after = [probes.requests_by_status(server, "POST", "/login") for server in cluster.servers]
    messages = probes.message_burst(cluster, cookie, MESSAGE_LIMIT + 1)
    return {"logins": logins, "login_split": [sum((a - b).values()) for a, b in zip(after, before)],
            "messages": messages,
            "messages_stored": probes.scalar(cluster.database_url, "SELECT count(*) FROM message WHERE body LIKE 'Grense %'")}


def throughput_one_then_two(cluster: Cluster, cookie: str, seconds: float, rounds: int, connections: int = 8) -> dict:
    """The overview through nginx with app server 2 stopped, then with both, ``rounds`` times in
    turn (the neighbours' load comes and goes; alternating spreads it over both), each after 2 s untimed."""
    path = probes.Browser(cluster, cookie).plan() + "/"
    second = cluster.servers[1]
    found: dict[str, list[dict]] = {"one": [], "two": []}

    def measure(name: str) -> None:
        time.sleep(NGINX_FAIL_TIMEOUT_SECONDS + 1)  # nginx has noticed the change
        probes.overview_rate(cluster, cookie, path, 2, connections)
        found[name].append(probes.overview_rate(cluster, cookie, path, seconds, connections))

    for _ in range(rounds):
        second.stop(signal.SIGTERM)
        measure("one")
        second.start()
        second.wait_ready(timeout=120)
        measure("two")
    return {**found, "connections": connections, "seconds": seconds}


def wait_for_empty_outbox(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while probes.outbox_left(url) and time.monotonic() < deadline:
        time.sleep(2)
    time.sleep(3)  # the last requests' answers reach the fake service's list


def run_soak(stack: ExitStack, arguments, cluster: Cluster, cookies: list[str]) -> dict:
    """The load with the chaos beside it; returns everything the report needs."""
    server = SimpleNamespace(url=cluster.app_url, name="nginx", cert=cluster.cert)
    tally, sampler = ClusterTally(), probes.MemorySampler(cluster)
    sampler.thread.start()
    stack.callback(sampler.stop.set)
    total = arguments.warm_up + arguments.minutes * 60
    started = time.monotonic()
    minutes = arguments.minutes * 60
    chaos = Chaos(cluster, started, {"push": arguments.warm_up + 0.10 * minutes,
                                     "kill": arguments.warm_up + 0.35 * minutes,
                                     "restart": arguments.warm_up + 0.65 * minutes})
    load = threading.Thread(target=run_users, args=(server, cookies, tally, total, tuple(arguments.think)),
                            kwargs={"user_class": ClusterSoakUser})
    load.start()
    chaos.thread.start()
    while load.is_alive():
        load.join(timeout=60)
        print(f"  {sum(tally.statuses.values()):,} requests, {len(tally.sent):,} messages, "
              f"{len(tally.timed_errors)} 5xx", flush=True)
    chaos.thread.join(timeout=180)
    settle = 15 if arguments.short else 30
    memory = sampler.growth(started + arguments.warm_up, settle)
    sampler.stop.set()
    return {"tally": tally, "chaos": chaos, "memory": memory, "started": started}


def main() -> None:
    arguments = parse_arguments()
    import logging

    logging.disable(logging.WARNING)
    os.environ["MIN_PLAN_ENV"] = "testing"  # this process only seeds the database and signs cookies
    info, begun = machine(), time.monotonic()
    plans = max(SMALL_SYNTHETIC_PLANS, arguments.users + 2)
    devices = probes.coordinator_count(plans) * DEVICES_PER_COORDINATOR
    with ExitStack() as stack:
        push = probes.PushService(devices, PUSH_LATENCY_SECONDS)
        stack.callback(push.stop)
        # Kept after the run (the logs of every process are there); made afresh each time.
        work = REPO / "instance" / "soak-cluster"
        shutil.rmtree(work, ignore_errors=True)
        cluster = Cluster(work, app_servers=2, workers=arguments.workers, push_workers=2,
                          push_app="bench.soak_push:create_soak_push_app()",
                          seed=lambda url: probes.prepare_database(url, plans, DEVICES_PER_COORDINATOR, push.infos))
        stack.callback(cluster.drop_database)
        stack.enter_context(cluster)
        secrets_env = {name: cluster.env[name] for name in ("SECRET_KEY", "PID_HASH_KEY", "OIDC_CLIENT_SECRET")}
        cookies = make_session_cookies(secrets_env, cluster.database_url, patients(cluster.database_url, arguments.users + 2))
        loads = [load_average()]
        print(f"{arguments.users} people through nginx ({cluster.app_url}), {arguments.warm_up:g} s warm-up + "
              f"{arguments.minutes:g} min; 2 app servers x {arguments.workers} workers, 2 push workers; "
              f"load average {loads[0]}", flush=True)
        soak = run_soak(stack, arguments, cluster, cookies[:arguments.users])
        loads.append(load_average())
        print("limits across servers ...", flush=True)
        limits = limits_across_servers(cluster, cookies[arguments.users])
        print("overview throughput, one app server then two ...", flush=True)
        throughput = throughput_one_then_two(cluster, cookies[arguments.users + 1], arguments.throughput_seconds,
                                             arguments.throughput_rounds)
        print("waiting until the outbox is empty ...", flush=True)
        wait_for_empty_outbox(cluster.database_url, LEASE_SECONDS + 120)
        notifications = probes.notification_figures(cluster.database_url, push.received())
        stored = stored_texts(cluster.database_url)
        text, ok = report(arguments, info, soak, stored, notifications, limits, throughput, tuple(loads),
                          time.monotonic() - begun, settings={"in_flight": IN_FLIGHT_SECONDS, "lease": LEASE_SECONDS,
                                                             "latency": PUSH_LATENCY_SECONDS, "login": LOGIN_LIMIT,
                                                             "message": MESSAGE_LIMIT, "devices": DEVICES_PER_COORDINATOR})
    print("\n" + text)
    if not arguments.short:
        write_results(Path(arguments.results), text, title="Cluster soak")
    if not ok:
        sys.exit("the cluster soak found a problem (see the verdict)")


if __name__ == "__main__":
    main()
