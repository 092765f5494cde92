"""The cluster soak's figures as a Markdown section for bench/RESULTS.md, and its verdict."""

from __future__ import annotations

import re
import sys
from statistics import median

from bench.soak import MAX_GROWTH

# A row is claimed within a poll (2 s) of being written, unless the workers are busy; then sent or,
# if its worker died, sent again when the lease ends. 15 s covers the polls and a busy moment.
LATE_MARGIN_SECONDS = 15
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def shape(path: str) -> str:
    """A path with its ids left out: which page, not whose."""
    return UUID.sub("…", path)


def split_server_errors(soak: dict, window: float) -> dict[str, list]:
    """5xx within ``window`` seconds after the SIGKILL (in flight on the killed server), between
    the graceful restart's SIGTERM and the server being ready again, and at any other time."""
    chaos = soak["chaos"]
    killed, graceful = chaos.app_killed_at, chaos.graceful
    found: dict[str, list] = {"in flight": [], "graceful": [], "other": []}
    for at, method, path, status in soak["tally"].timed_errors:
        if killed is not None and killed <= at <= killed + window:
            name = "in flight"
        elif graceful is not None and graceful[0] <= at <= graceful[1]:
            name = "graceful"
        else:
            name = "other"
        found[name].append((at - soak["started"], f"{method} {shape(path)} {status}"))
    return found


def listed(errors: list) -> str:
    return "; ".join(f"{text} at {at:.1f} s" for at, text in errors[:6]) + (" …" if len(errors) > 6 else "")


def counts(statuses: list[int]) -> str:
    found: dict[int, int] = {}
    for status in statuses:
        found[status] = found.get(status, 0) + 1
    return ", ".join(f"{count} × {status}" for status, count in sorted(found.items()))


def message_lines(tally, stored) -> tuple[list[str], dict]:
    lost = tally.sent - set(stored)
    twice = {body for body, count in stored.items() if count > 1}
    unexpected = set(stored) - tally.sent - tally.unsure
    lines = [
        f"| messages answered as sent | {len(tally.sent):,} (of them {tally.double_taps} sent twice at once) |",
        f"| forms sent again after a 5xx (same idempotency key) | {tally.resent} |",
        f"| messages in the database | {sum(stored.values()):,} |",
        f"| lost (sent, not stored) / stored twice / stored but never answered | "
        f"{len(lost)} / {len(twice)} / {len(set(stored) & tally.unsure - tally.sent)} |",
    ]
    return lines, {"no message lost": not lost, "no message stored twice": not twice,
                   "no message stored that was not sent": not unexpected}


def notification_lines(notes: dict, chaos, settings: dict) -> tuple[list[str], dict]:
    bound = chaos.rows_held
    lines = [
        f"| outbox rows written (one per coordinator device, {settings['devices']} each) | {notes['created']:,} |",
        f"| delivered (201 from the fake push service; decrypted, VAPID valid) | {notes['delivered']:,} "
        f"({notes['verified']:,} verified of {notes['requests']:,} requests) |",
        f"| not delivered / left in the outbox at the end | {notes['missing']} / {notes['left']} |",
        f"| delivered twice | {notes['duplicates']} (bound: the {bound} rows the killed worker held) |",
        f"| time from outbox row to delivery, median / max | {notes['delay_p50']:.2f} s / {notes['delay_max']:.0f} s "
        f"(bound: the {settings['lease']} s lease of the killed worker's rows + {LATE_MARGIN_SECONDS} s) |",
    ]
    mid_batch = chaos.push_killed_at is not None and bound > 0
    return lines, {"push worker killed mid-batch": mid_batch,
                   "every notification delivered": notes["missing"] == 0 and notes["left"] == 0,
                   "duplicates within the bound": notes["duplicates"] <= bound,
                   "delays within the bound": notes["delay_max"] <= settings["lease"] + LATE_MARGIN_SECONDS,
                   "every request decrypted and signed": notes["verified"] == notes["requests"]}


def limit_lines(limits: dict, settings: dict) -> tuple[list[str], dict]:
    logins, messages = limits["logins"], limits["messages"]
    allowed = sum(1 for status in messages if status in (302, 303))
    lines = [
        f"| {len(logins)} login presses from one address through nginx | {counts(logins)} "
        f"(POST /login answered by app-1: {limits['login_split'][0]}, app-2: {limits['login_split'][1]}) |",
        f"| {len(messages)} messages from one person through nginx | {counts(messages)}; "
        f"{limits['messages_stored']} stored |",
    ]
    return lines, {
        f"login limit {settings['login']} across servers": logins == [302] * settings["login"] + [429]
        and min(limits["login_split"]) > 0,
        f"message limit {settings['message']} across servers": allowed == settings["message"]
        and messages[-1] == 429 and limits["messages_stored"] == allowed,
    }


def throughput_lines(throughput: dict) -> list[str]:
    lines = []
    for name, label in (("one", "app server 2 stopped"), ("two", "both app servers")):
        runs = throughput[name]
        each = ", ".join(f"{run['rps']:.0f}" for run in runs)
        lines.append(f"| overview through nginx, {label}: median of {len(runs)} × {throughput['seconds']:g} s, "
                     f"{throughput['connections']} connections | {median([r['rps'] for r in runs]):.1f} req/s "
                     f"(each: {each}; p50 {median([r['p50_ms'] for r in runs]):.0f} ms, "
                     f"p95 {median([r['p95_ms'] for r in runs]):.0f} ms; {sum(r['failures'] for r in runs)} failed) |")
    one, two = (median([run["rps"] for run in throughput[name]]) for name in ("one", "two"))
    lines.append(f"| two servers / one | {two / one if one else 0.0:.2f} |")
    return lines


def memory_lines(memory: list[dict], started: float, minimum_minutes: float) -> tuple[list[str], dict]:
    lines, judged = [], []
    for row in memory:
        since = (row["from"] - started) / 60
        lines.append(f"| {row['label']} resident memory, from {since:.1f} min for {row['minutes']:.1f} min | "
                     f"{row['first']:.1f} → {row['last']:.1f} MiB ({row['growth']:+.1%}) |")
        if row["minutes"] >= minimum_minutes:
            judged.append(row["growth"])
    name = f"memory grew < {MAX_GROWTH:.0%} in each process measured ≥ {minimum_minutes:g} min"
    return lines, {name: bool(judged) and max(judged) < MAX_GROWTH}


def header_lines(arguments, info: dict, loads: tuple, elapsed: float, chaos, settings: dict) -> list[str]:
    events = "; ".join(f"{at:.0f} s {text}" for at, text in chaos.events)
    return [
        f"- command: `bench/soak.py {' '.join(sys.argv[1:])}` ({elapsed / 60:.1f} min in all)",
        f"- {arguments.users} simulated people for {arguments.minutes:g} min after {arguments.warm_up:g} s of warm-up, "
        f"over HTTPS through nginx (round-robin, TLS ended there) to 2 app servers × {arguments.workers} gunicorn sync "
        f"workers, MIN_PLAN_ENV=production, limits in Redis; 2 push workers sending to tests/notify/fake_push.py "
        f"(answers after {settings['latency'] * 1000:.0f} ms); PostgreSQL ({info['postgresql']}); gunicorn {info['gunicorn']}",
        f"- machine: {info['cpu']}, {info['memory']}; load average (1, 5, 15 min) {loads[0]} at the start, "
        f"{loads[1]} at the end (shared with other work)",
        f"- what was done to it (seconds after the load began): {events}",
        "- push subscriptions were written straight into the database (the app servers, with the production settings, "
        "refuse a push endpoint on 127.0.0.1); the push workers run from bench/soak_push.py, the app with "
        "PUSH_ALLOW_LOCAL_ENDPOINTS on, as the worker checks the endpoint again at each send",
    ]


def report(arguments, info: dict, soak: dict, stored, notes: dict, limits: dict, throughput: dict,
           loads: tuple, elapsed: float, settings: dict) -> tuple[str, bool]:
    tally, chaos = soak["tally"], soak["chaos"]
    errors = split_server_errors(soak, settings["in_flight"])
    total = sum(tally.statuses.values())
    client_errors = sum(count for status, count in tally.statuses.items() if 400 <= status < 500)
    seconds = arguments.minutes * 60 + arguments.warm_up
    lines = header_lines(arguments, info, loads, elapsed, chaos, settings) + [
        "", "| what | figure |", "| --- | ---: |",
        f"| journeys completed | {tally.journeys:,} |",
        f"| requests through nginx | {total:,} ({total / seconds:.1f}/s) |",
        f"| 5xx in flight on the killed server (≤ {settings['in_flight']:g} s after its SIGKILL) | {len(errors['in flight'])} |",
        f"| 5xx during the graceful restart (SIGTERM to ready) | {len(errors['graceful'])} |",
        f"| 5xx at any other time | {len(errors['other'])} |",
        f"| 4xx answers | {client_errors} |",
        f"| connection errors | {len(tally.connection_errors)} |",
    ]
    checks = {"no 5xx but those in flight on the killed server": not errors["graceful"] and not errors["other"],
              "no connection errors": not tally.connection_errors}
    for part_lines, part_checks in (message_lines(tally, stored), notification_lines(notes, chaos, settings),
                                    limit_lines(limits, settings),
                                    memory_lines(soak["memory"], soak["started"], 0.3 if arguments.short else 2)):
        lines += part_lines
        checks.update(part_checks)
    lines += throughput_lines(throughput)
    for name, title in (("in flight", "In flight on the killed server"), ("graceful", "During the graceful restart"),
                        ("other", "At other times")):
        if errors[name]:
            lines += ["", f"{title}: " + listed(errors[name])]
    if tally.connection_errors:
        lines += ["", "Connection errors: " + "; ".join(shape(error) for error in tally.connection_errors[:5])]
    lines += ["", "Verdict: " + ", ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in checks.items())]
    return "\n".join(lines), all(checks.values())
