"""The shipped gunicorn configuration (deploy/gunicorn.conf.py, used by ``make run``) under slow clients.

gunicorn runs as ``make run`` starts it, on a free loopback port: threaded workers keep
answering while more slow clients than workers send their headers byte by byte, and the
access log names paths without their query string (invitation tokens).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
STARTUP_S = 90  # generous: the machine is shared


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, timeout: float) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


class Server:
    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.access_log = tmp / "access.log"
        env = dict(os.environ, CIPS_DATABASE_URL=f"sqlite:///{tmp / 'cips.sqlite3'}", CIPS_SECRET_KEY="deployment",
                   PYTHONPATH=str(ROOT))  # fmt: skip
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        # As the Makefile's `run` target, with the access log in a file to read back.
        args = [gunicorn, "--config", str(CONFIG), "--bind", f"127.0.0.1:{self.port}",
                "--access-logfile", str(self.access_log), "cips:create_app()"]  # fmt: skip
        self.log = tmp / "gunicorn.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + STARTUP_S
        while True:
            with contextlib.suppress(OSError):
                if _get(self.port, "/healthz", timeout=2) == 200:
                    break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("gunicorn"))
    yield running
    running.stop()


def _workers() -> int:
    settings: dict[str, object] = {}
    exec(CONFIG.read_text(), settings)  # the config file is plain Python: read what it sets
    return int(settings["workers"])  # type: ignore[call-overload]


class SlowClient(threading.Thread):
    """Sends a request's headers one byte at a time (slow loris) until told to stop or done."""

    REQUEST = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + b"X-Slow: " + b"a" * 300 + b"\r\n\r\n"

    def __init__(self, port: int, stop: threading.Event, delay: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.stop, self.delay = stop, delay
        self.sent = 0
        self.finished = False

    def run(self) -> None:
        try:
            for byte in self.REQUEST:
                if self.stop.is_set():
                    return
                self.sock.sendall(bytes([byte]))
                self.sent += 1
                time.sleep(self.delay)
            self.finished = True
        except OSError:
            self.finished = True  # the server hung up: no longer holding anything
        finally:
            self.sock.close()


def test_deployment_healthz_answers_while_more_slow_clients_than_workers_are_sending(server: Server) -> None:
    stop = threading.Event()
    slow = [SlowClient(server.port, stop) for _ in range(2 * _workers())]
    try:
        for client in slow:
            client.start()
        deadline = time.monotonic() + 30
        while min(c.sent for c in slow) < 10:  # every slow client has begun its request
            assert time.monotonic() < deadline, "slow clients could not send"
            time.sleep(0.05)
        # Generous timeout; what matters is that the answer comes while the slow clients still send.
        assert _get(server.port, "/healthz", timeout=25) == 200
        assert not any(c.finished for c in slow), "/healthz answered only after the slow clients were done"
    finally:
        stop.set()
        for client in slow:
            client.join(timeout=5)


def test_deployment_access_log_has_the_path_without_the_query_string(server: Server) -> None:
    token = "InviteToken-4f9c1e"
    assert _get(server.port, f"/healthz?t={token}", timeout=25) == 200
    deadline = time.monotonic() + 10
    while "/healthz" not in (log := server.access_log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert '"GET /healthz HTTP/1.1" 200' in log
    assert token not in log and "?t=" not in log
    assert "127.0.0.1" not in log  # nor the client's address


def test_deployment_nginx_passes_an_oversized_submission_on_to_the_app() -> None:
    """The API answers a body over CIPS_MAX_SUBMISSION_BYTES with a JSON 413 and quarantines its first
    64 KB (README "Submission API"); a proxy whose own body limit is no larger would answer with its
    HTML 413 instead and keep nothing, so the shipped site's limit must stay above the app's."""
    import re

    from cips.config import MAX_SUBMISSION_BYTES

    site = (ROOT / "deploy" / "nginx-cips.conf").read_text(encoding="utf-8")
    main = site.split("location / {")[0]  # the server-wide limit, which the submission API gets
    sizes = [m for m in re.findall(r"^\s*client_max_body_size\s+(\d+)([km]?);", main, re.M)]
    assert sizes, "no client_max_body_size in the shipped nginx site"
    value, unit = sizes[-1]
    limit = int(value) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit]
    assert limit > MAX_SUBMISSION_BYTES
