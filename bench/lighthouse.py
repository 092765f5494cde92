"""Lighthouse's performance score of the overview and the crisis plan, logged in, mobile emulation.

    .venv/bin/python bench/lighthouse.py [--runs 3] [--sqlite]

Standalone it starts its own gunicorn (production settings, as bench/run.py) on a fresh
database with the demo plans; bench/run.py calls ``lighthouse_table`` with the server it
already has. Lighthouse 12 (npm, pinned in bench/lighthouse/package.json, installed by
`make bench` only: ~200 packages that `make test` does not need) drives Debian's
/usr/bin/chromium headless with its default mobile settings: a Moto G Power-sized
screen, simulated slow 4G and a 4x slower CPU. It is logged in by sending the session
cookie bench/run.py makes as an extra header on every request (the cookie is Secure and
this is plain HTTP on loopback, so a browser would not send it by itself).

Scores are medians of --runs runs per page; Lighthouse's simulated throttling makes them
steadier than wall-clock timings, but a busy machine still moves them by a few points.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIGHTHOUSE = REPO / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# As in tests/browser: this machine has no network but loopback, and Chromium's own
# background connections would only fail (and cost time) without these.
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync --disable-dev-shm-usage"
)
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}


def available() -> str | None:
    """Why Lighthouse cannot run here, or None when it can."""
    if not LIGHTHOUSE.exists():
        return "Lighthouse is not installed (`make bench` installs it: npm ci in bench/lighthouse)"
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (`make browser` installs Debian's)"
    return None


def audit(url: str, cookie_header: str, folder: Path) -> dict:
    """One Lighthouse run of one page: the performance score (0-100) and the core metrics."""
    report = folder / "lighthouse.json"
    command = [
        str(LIGHTHOUSE), url, "--only-categories=performance", "--output=json", f"--output-path={report}",
        "--quiet", f"--chrome-flags={CHROME_FLAGS}", "--max-wait-for-load=30000",
        f"--extra-headers={json.dumps({'Cookie': cookie_header})}",
    ]
    environment = {**os.environ, "CHROME_PATH": CHROMIUM}
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, env=environment)
    if result.returncode != 0 or not report.exists():
        raise RuntimeError(f"lighthouse failed ({result.returncode}): {result.stderr.strip()[-1500:]}")
    data = json.loads(report.read_text())
    report.unlink()
    if data.get("runtimeError"):
        raise RuntimeError(f"lighthouse: {data['runtimeError'].get('message')}")
    final_url = data.get("finalDisplayedUrl") or data.get("finalUrl", "")
    if "/login" in final_url:
        raise RuntimeError(f"lighthouse was not logged in: it ended on {final_url}")
    audits = data["audits"]
    return {
        "score": round(100 * (data["categories"]["performance"]["score"] or 0)),
        **{short: audits[name].get("numericValue") for name, short in METRICS.items()},
    }


def audit_again_if_asked(url: str, cookie_header: str, folder: Path) -> dict:
    """Lighthouse sometimes fails to record its trace (NO_NAVSTART) and says "Please run Lighthouse
    again"; so do that, once, and say so. Any other failure stops the measurement."""
    try:
        return audit(url, cookie_header, folder)
    except RuntimeError as error:
        if "run Lighthouse again" not in str(error):
            raise
        print(f"  Lighthouse asked to be run again ({str(error)[-80:]}); running {url} once more", file=sys.stderr)
        return audit(url, cookie_header, folder)


def measure(base_url: str, cookie_header: str, pages: dict[str, str], runs: int) -> dict[str, list[dict]]:
    """Runs taken in turn across the pages, like bench/run.py does, so noise hurts them alike."""
    results: dict[str, list[dict]] = {name: [] for name in pages}
    with tempfile.TemporaryDirectory(prefix="min-plan-lighthouse-") as folder:
        # Not counted: Chromium's first start on a machine scored the overview 77 (TBT 1 s)
        # where the runs after it gave 97-100.
        audit_again_if_asked(base_url + next(iter(pages.values())), cookie_header, Path(folder))
        for _run in range(runs):
            for name, path in pages.items():
                results[name].append(audit_again_if_asked(base_url + path, cookie_header, Path(folder)))
    return results


def table(results: dict[str, list[dict]]) -> str:
    lines = ["| page (mobile) | score (median) | scores per run | FCP ms | LCP ms | TBT ms | CLS | Speed Index ms |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, runs in results.items():
        med = {key: statistics.median(r[key] for r in runs) for key in ("score", *METRICS.values())}
        lines.append(f"| {name} | {med['score']:.0f} | {', '.join(str(r['score']) for r in runs)} | {med['FCP']:.0f} | "
                     f"{med['LCP']:.0f} | {med['TBT']:.0f} | {med['CLS']:.3f} | {med['SI']:.0f} |")
    worst = min(statistics.median(r["score"] for r in runs) for runs in results.values())
    lines += ["", f"lowest median Lighthouse performance score: **{worst:.0f}** (goal ≥ 95)"]
    return "\n".join(lines)


def lighthouse_table(server_url: str, cookie_header: str, paths: dict, runs: int) -> str:
    """For bench/run.py: the table, or one line saying why there is none."""
    missing = available()
    if missing:
        return missing
    pages = {"overview": paths["overview"], "crisis plan": paths["plan"] + "/crisis-plan"}
    try:
        return table(measure(server_url, cookie_header, pages, runs))
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        return f"Lighthouse did not finish: {error}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="SQLite even when PostgreSQL answers")
    arguments = parser.parse_args()
    missing = available()
    if missing:
        raise SystemExit(missing)

    import logging
    import secrets
    from contextlib import ExitStack

    sys.path.insert(0, str(REPO))
    logging.disable(logging.WARNING)
    os.environ["MIN_PLAN_ENV"] = "testing"  # this process only builds the database and the cookie
    from bench.run import COOKIE_NAME, SMALL_SYNTHETIC_PLANS, Server, postgres_answers, prepare_person, \
        seeded_throwaway_database

    secrets_env = {name: secrets.token_urlsafe(32) for name in ("SECRET_KEY", "PID_HASH_KEY", "OIDC_CLIENT_SECRET")}
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="min-plan-bench-")))
        url = seeded_throwaway_database(stack, work, "bench_lighthouse", SMALL_SYNTHETIC_PLANS,
                                        postgres_answers() and not arguments.sqlite)
        server = Server("lighthouse", url, secrets_env, 2, work)
        stack.callback(server.stop)
        server.wait_ready()
        person, paths = prepare_person(server, secrets_env, url, threads=0)
        print(lighthouse_table(server.url, f"{COOKIE_NAME}={person.cookie}", paths, arguments.runs))


if __name__ == "__main__":
    main()
