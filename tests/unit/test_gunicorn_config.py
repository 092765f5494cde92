"""gunicorn.conf.py: the production server settings, read by gunicorn and by the benchmarks."""

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def printed_settings(**environment) -> dict[str, str]:
    inherited = {name: value for name, value in os.environ.items() if name != "WEB_CONCURRENCY"}
    output = subprocess.run(
        [str(GUNICORN), "--print-config", "patient_app:create_app()"],
        cwd=REPO, env={**inherited, **environment}, capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    return {name.strip(): value.strip() for name, _, value in (line.partition("=") for line in output.splitlines())}


def test_gunicorn_reads_the_product_settings_from_the_repository_root():
    settings = printed_settings()
    assert settings["worker_class"] == "sync"
    assert settings["workers"] == str(os.cpu_count() or 2), "a worker per CPU (see gunicorn.conf.py for why)"
    assert settings["timeout"] == "30"
    assert settings["limit_request_fields"] == "50"


def test_the_platform_may_choose_the_number_of_workers():
    assert printed_settings(WEB_CONCURRENCY="3")["workers"] == "3"


@pytest.fixture
def production_server(tmp_path):
    """gunicorn with gunicorn.conf.py serving the app in production mode on a fresh SQLite file."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        **os.environ, "MIN_PLAN_ENV": "production", "ALLOW_SQLITE_IN_PRODUCTION": "1", "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/production.sqlite",
        # Production refuses per-process limits; this test sends nothing a limit counts.
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        **{name: secrets.token_urlsafe(32) for name in ("SECRET_KEY", "PID_HASH_KEY", "OIDC_CLIENT_SECRET")},
    }
    log = open(tmp_path / "gunicorn.log", "w+", encoding="utf-8")
    server = subprocess.Popen([str(GUNICORN), "patient_app:create_app()"], cwd=REPO, env=environment,
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url + "/manifest.webmanifest", timeout=2)
                break
            except requests.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"gunicorn did not start:\n{log.read()}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_the_settings_serve_the_app_and_refuse_a_request_with_too_many_headers(production_server):
    assert requests.get(production_server + "/manifest.webmanifest", timeout=5).status_code == 200
    crowded = {f"X-Filler-{number}": "x" for number in range(60)}
    assert requests.get(production_server + "/manifest.webmanifest", headers=crowded, timeout=5).status_code == 431
