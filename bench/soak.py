"""make soak: many people using Min plan at once for a long while, against gunicorn in production mode.

    .venv/bin/python bench/soak.py [--users 50] [--minutes 10] [--warm-up 60] [--workers 2]
                                   [--think 0.5 1.5] [--short] [--sqlite] [--results bench/RESULTS.md]

Each simulated person is a patient of their own plan (the synthetic plans of
bench/seed_large.py, 98 of them beside the demo plans), logged in with the session
cookie a login gives (bench/run.py makes it, signed with the server's key). In a
loop, with a pause to read between steps (--think, seconds), each one opens the
overview, a plan page, the crisis plan, the messages, a conversation, polls it
the way htmx does, and writes a reply with a text no one else writes; every fifth
round they start a new conversation instead. Every seventh message is a double
tap: the same form (the same idempotency key) posted twice at once.

What it checks, and prints as a table:

- no answer is a 5xx (and how many 4xx, and connection errors, there were);
- every message that was answered "sent" (a redirect) is in the database exactly
  once: none lost, none twice;
- the resident memory of each gunicorn worker after the warm-up and at the end:
  growth under 10 %.

gunicorn and the databases are set up as for `make bench` (bench/run.py): production
settings, throwaway secrets, PostgreSQL when it answers on 127.0.0.1:5432, else SQLite.
The machine's load average is printed at the start and the end: on a shared machine
the figures are only as quiet as the neighbours. --short is a quick check (50 users,
one minute, 15 s warm-up), and does not write to RESULTS.md. --cluster runs the same
people through nginx against two app servers and two push workers while killing and
restarting them (bench/soak_cluster.py).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import html
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from contextlib import ExitStack
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.run import (  # noqa: E402
    REPO,
    SMALL_SYNTHETIC_PLANS,
    Person,
    Server,
    machine,
    make_session_cookies,
    postgres_answers,
    seeded_throwaway_database,
)

MAX_GROWTH = 0.10
HX_GET = re.compile(r'data-hx-get="([^"]+)"')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Tally:
    """What every simulated person saw, added up under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: collections.Counter = collections.Counter()
        self.server_errors: list[str] = []
        self.connection_errors: list[str] = []
        self.sent: set[str] = set()  # texts answered with a redirect: stored, the server says
        self.unsure: set[str] = set()  # texts whose answer never came (broken connection)
        self.journeys = 0
        self.double_taps = 0  # forms sent twice at once, with the same idempotency key

    def answer(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors.append(f"{method} {path} {status}")


class SoakUser(Person):
    """One person's browser: the cookie it was given, kept up to date; every answer counted."""

    def __init__(self, server: Server, cookie: str, tally: Tally, rng: random.Random, think: tuple[float, float]):
        super().__init__(server, {}, "", cookie=cookie)
        self.tally = tally
        self.rng = rng
        self.think = think
        self.number = 0

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        try:
            response = self.http.request(method, self.server.url + path, data=data, headers=self.headers(headers),
                                         allow_redirects=False, timeout=60)
        except requests.RequestException as error:
            with self.tally.lock:
                self.tally.connection_errors.append(f"{method} {path} {type(error).__name__}")
            return None
        self._keep_cookie(response)
        self.tally.answer(method, urllib.parse.urlsplit(path).path, response.status_code)
        return response

    def pause(self) -> None:
        time.sleep(self.rng.uniform(*self.think))

    def unique_text(self, who: int) -> str:
        self.number += 1
        return f"Soak {who}-{self.number}-{uuid.uuid4().hex[:8]}: hei, jeg har et spørsmål om neste møte."

    def journey(self, who: int, plan: str, round_number: int) -> None:
        for path in (f"{plan}/", f"{plan}/goals", f"{plan}/crisis-plan", f"{plan}/messages"):
            listing = self.request("GET", path)
            self.pause()
        threads = sorted(set(re.findall(rf'href="({re.escape(plan)}/messages/[0-9a-f-]{{36}})"', listing.text))) \
            if listing is not None and listing.status_code == 200 else []
        if round_number % 5 == 4 or not threads:
            self.send(f"{plan}/messages/new", who, subject=f"Spørsmål {round_number}")
            return
        thread = self.rng.choice(threads)
        page = self.request("GET", thread)
        if page is None or page.status_code != 200:
            return
        self.pause()
        poll = HX_GET.search(page.text)
        if poll:
            self.request("GET", html.unescape(poll[1]), headers={"HX-Request": "true", "X-Background-Poll": "1"})
            self.pause()
        self.send(thread, who, page=page)

    def send(self, path: str, who: int, subject: str | None = None, page=None) -> None:
        if page is None:
            page = self.request("GET", path)
            if page is None or page.status_code != 200:
                return
            self.pause()
        token = CSRF.search(page.text)
        if not token:
            return
        text = self.unique_text(who)
        form = {"csrf_token": token[1], "body": text, "idempotency_key": str(uuid.uuid4())}
        if subject:
            form["subject"] = subject
        if self.number % 7 == 0:
            # A double tap: the same form twice at once. The idempotency key makes it one message.
            twin = threading.Thread(target=self.request, args=("POST", path), kwargs={"data": form})
            twin.start()
            answer = self.request("POST", path, data=form)
            twin.join()
            with self.tally.lock:
                self.tally.double_taps += 1
        else:
            answer = self.request("POST", path, data=form)
        with self.tally.lock:
            if answer is None:
                self.tally.unsure.add(text)
            elif answer.status_code in (302, 303):
                self.tally.sent.add(text)
        if answer is not None and answer.status_code in (302, 303):
            # The page after sending (it shows, and so clears, the confirmation).
            self.request("GET", urllib.parse.urlsplit(answer.headers["Location"]).path)
        self.pause()


def run_users(server: Server, cookies: list[str], tally: Tally, seconds: float, think: tuple[float, float],
              user_class: type[SoakUser] = SoakUser) -> None:
    deadline = time.monotonic() + seconds

    def live(who: int, cookie: str) -> None:
        user = user_class(server, cookie, tally, random.Random(who), think)
        time.sleep(user.rng.uniform(0, think[1]))  # not all at the same instant
        start = user.request("GET", "/plans")
        if start is None or start.status_code != 302:
            with tally.lock:
                tally.connection_errors.append(f"user {who} could not open their plan")
            return
        plan = urllib.parse.urlsplit(start.headers["Location"]).path.rstrip("/")
        round_number = 0
        while time.monotonic() < deadline:
            user.journey(who, plan, round_number)
            round_number += 1
            with tally.lock:
                tally.journeys += 1

    threads = [threading.Thread(target=live, args=(who, cookie), daemon=True) for who, cookie in enumerate(cookies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)


def stored_texts(database_url: str) -> collections.Counter:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT body, count(*) FROM message WHERE body LIKE 'Soak %' GROUP BY body"))
            return collections.Counter({body: count for body, count in rows})
    finally:
        engine.dispose()


def patients(database_url: str, count: int) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            names = connection.execute(
                text("SELECT name FROM person WHERE name LIKE 'Pasient %' ORDER BY id LIMIT :n"), {"n": count}
            ).scalars().all()
    finally:
        engine.dispose()
    if len(names) < count:
        raise SystemExit(f"only {len(names)} synthetic patients in the database; --users {count} needs more")
    return list(names)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def report(arguments, info: dict, database: str, tally: Tally, stored: collections.Counter,
           before: dict[int, float], after: dict[int, float], loads: tuple[str, str], elapsed: float) -> tuple[str, bool]:
    lost = tally.sent - set(stored)
    twice = {body for body, count in stored.items() if count > 1}
    unexpected = set(stored) - tally.sent - tally.unsure
    server_errors = sum(count for status, count in tally.statuses.items() if status >= 500)
    client_errors = sum(count for status, count in tally.statuses.items() if 400 <= status < 500)
    requests_total = sum(tally.statuses.values())
    growth = {pid: (after[pid] - size) / size for pid, size in before.items() if pid in after}
    replaced = sorted(set(before) ^ set(after))
    checks = {
        "zero 5xx": server_errors == 0,
        "no connection errors": not tally.connection_errors,
        "no message lost": not lost,
        "no message stored twice": not twice,
        "no message stored that was not sent": not unexpected,
        f"each worker's memory grew < {MAX_GROWTH:.0%}": bool(growth) and max(growth.values()) < MAX_GROWTH
        and not replaced,
    }
    lines = [
        f"- command: `bench/soak.py {' '.join(sys.argv[1:])}` ({elapsed / 60:.1f} min in all)",
        f"- {arguments.users} simulated people for {arguments.minutes:g} min after {arguments.warm_up:g} s of "
        f"warm-up, {arguments.think[0]:g}–{arguments.think[1]:g} s between steps; gunicorn {info['gunicorn']}, "
        f"{arguments.workers} sync workers, MIN_PLAN_ENV=production; {database}",
        f"- machine: {info['cpu']}, {info['memory']}; load average (1, 5, 15 min) {loads[0]} at the start, "
        f"{loads[1]} at the end (shared with other work)",
        "",
        "| what | figure |",
        "| --- | ---: |",
        f"| journeys completed | {tally.journeys:,} |",
        f"| requests | {requests_total:,} ({requests_total / max(1.0, arguments.minutes * 60 + arguments.warm_up):.1f}/s) |",
        f"| 5xx answers | {server_errors} |",
        f"| 4xx answers | {client_errors} |",
        f"| connection errors | {len(tally.connection_errors)} |",
        f"| messages answered as sent | {len(tally.sent):,} (of them {tally.double_taps} sent twice at once) |",
        f"| messages in the database | {sum(stored.values()):,} |",
        f"| lost (sent, not stored) | {len(lost)} |",
        f"| stored twice | {len(twice)} |",
        f"| stored but never answered (connection broke) | {len(set(stored) & tally.unsure)} |",
    ]
    for pid, size in sorted(before.items()):
        end = after.get(pid)
        lines.append(f"| worker {pid} resident memory after warm-up → end | {size:.1f} → "
                     + (f"{end:.1f} MiB ({growth[pid]:+.1%}) |" if end is not None else "gone (replaced) |"))
    lines += ["", "Verdict: " + ", ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in checks.items())]
    if tally.server_errors or tally.connection_errors:
        lines += ["", "First problems: " + "; ".join((tally.server_errors + tally.connection_errors)[:5])]
    return "\n".join(lines), all(checks.values())


def write_results(path: Path, text: str, title: str = "Soak") -> None:
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=REPO).stdout.strip()
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"\n## {title} — {when} — {commit}{' + uncommitted changes' if dirty else ''}\n\n{text}\n")
    print(f"Results appended to {path}")


def arguments_parser() -> argparse.ArgumentParser:
    """The options of both modes (bench/soak_cluster.py adds its own)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluster", action="store_true",
                        help="through nginx (HTTPS) against two app servers and two push workers, "
                             "killing and restarting them (bench/soak_cluster.py)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--warm-up", type=float, default=60, help="seconds of load before memory is first measured")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2), help="gunicorn sync workers")
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 1.5), metavar=("MIN", "MAX"),
                        help="seconds a person pauses between steps")
    parser.add_argument("--short", action="store_true", help="a quick check: 1 minute, 15 s warm-up, no RESULTS.md")
    parser.add_argument("--sqlite", action="store_true", help="SQLite even when PostgreSQL answers")
    parser.add_argument("--results", default=str(REPO / "bench" / "RESULTS.md"))
    return parser


def main() -> None:
    if "--cluster" in sys.argv[1:]:
        from bench.soak_cluster import main as soak_cluster

        return soak_cluster()
    arguments = arguments_parser().parse_args()
    if arguments.short:
        arguments.minutes, arguments.warm_up = 1, 15

    import logging

    logging.disable(logging.WARNING)
    started = time.monotonic()
    info = machine()
    postgres = postgres_answers() and not arguments.sqlite
    database = f"PostgreSQL ({info['postgresql']})" if postgres else "SQLite"
    secrets_env = {name: secrets.token_urlsafe(32) for name in ("SECRET_KEY", "PID_HASH_KEY", "OIDC_CLIENT_SECRET")}
    os.environ.update({"MIN_PLAN_ENV": "testing"})  # this process only builds the database and cookies

    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="min-plan-soak-")))
        url = seeded_throwaway_database(stack, work, "soak", max(SMALL_SYNTHETIC_PLANS, arguments.users), postgres)
        cookies = make_session_cookies(secrets_env, url, patients(url, arguments.users))
        server = Server("soak", url, secrets_env, arguments.workers, work)
        stack.callback(server.stop)
        server.wait_ready()
        loads = [load_average()]
        print(f"{arguments.users} people, {arguments.warm_up:g} s warm-up + {arguments.minutes:g} min, "
              f"{arguments.workers} gunicorn workers, {database}; load average {loads[0]}", flush=True)

        tally = Tally()
        total = arguments.warm_up + arguments.minutes * 60
        load = threading.Thread(target=run_users, args=(server, cookies, tally, total, tuple(arguments.think)))
        load.start()
        time.sleep(arguments.warm_up)
        before = server.worker_rss_mib()
        print(f"after warm-up: {sum(tally.statuses.values()):,} requests; memory "
              + ", ".join(f"{size:.1f} MiB" for size in before.values()), flush=True)
        while load.is_alive():
            load.join(timeout=60)
            if load.is_alive():
                print(f"  {sum(tally.statuses.values()):,} requests, {len(tally.sent):,} messages, "
                      f"{sum(c for s, c in tally.statuses.items() if s >= 500)} 5xx", flush=True)
        after = server.worker_rss_mib()
        loads.append(load_average())
        stored = stored_texts(url)
        text, ok = report(arguments, info, database, tally, stored, before, after, tuple(loads),
                          time.monotonic() - started)
    print("\n" + text)
    if not arguments.short:
        write_results(Path(arguments.results), text)
    if not ok:
        sys.exit("the soak test found a problem (see the verdict)")


if __name__ == "__main__":
    main()
