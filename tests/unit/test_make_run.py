"""`make run` as a newcomer uses it: it starts, the app answers, and Ctrl-C stops every
process it started, quietly. (Its trap once ran again on its own signal until the shell
crashed with "Segmentation fault".)"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def answers(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz/live", timeout=1).ok
    except requests.RequestException:
        return False


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_ctrl_c_stops_make_run_and_everything_it_started(tmp_path):
    app, issuer, login, register = free_ports(4)
    command = ["make", "--no-print-directory", "run", f"PORT={app}", f"IDPORTEN_PORT={issuer}",
               f"IDPORTEN_LOGIN_PORT={login}", f"REGISTER_PORT={register}"]
    output = tmp_path / "make-run.log"
    with open(output, "w") as log:
        # A terminal's Ctrl-C goes to the whole foreground process group: so does ours.
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, "FLASK_DEBUG": "0"})
        try:
            deadline = time.monotonic() + 120
            while not answers(app):
                assert process.poll() is None, output.read_text()[-2000:]
                assert time.monotonic() < deadline, "make run did not start the app within 2 minutes"
                time.sleep(0.5)
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=20)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    text = output.read_text()
    assert "Segmentation fault" not in text and "core dumped" not in text, text[-2000:]
    time.sleep(0.5)
    assert not [port for port in (app, issuer, login, register) if listening(port)], "something outlived make run"
