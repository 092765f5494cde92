"""Min plan as a municipality runs it: nginx ending TLS, two gunicorn app servers with the
production settings (MIN_PLAN_ENV=production, TRUSTED_PROXIES=1), PostgreSQL, Redis and the
stand-in ID-porten behind nginx over HTTPS. tools/cluster.py starts them, as `make cluster` does.

One cluster serves the whole folder; each test uses people and limits no other test spends.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.chromium import missing
from tools.cluster import Cluster


def _postgres_is_running() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode == 0


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    for program in ("nginx", "redis-server", "openssl"):
        if shutil.which(program) is None and not os.path.exists(f"/usr/sbin/{program}"):
            missing(program, "`make test` installs nginx (Debian's package); Redis and OpenSSL come with the machine.")
    if not _postgres_is_running():
        missing("PostgreSQL on 127.0.0.1:5432", ".ci/run starts it.")
    cluster = Cluster(tmp_path_factory.mktemp("cluster"), app_servers=2, workers=1, push_workers=0)
    with cluster:
        yield cluster
    cluster.drop_database()
