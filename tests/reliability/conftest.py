"""Fault injection on loopback: gunicorn that can be SIGKILLed and restarted, a proxy that cuts connections.

Everything listens on 127.0.0.1 only. Every process started here runs in its own session
(process group) and is killed as a group at teardown, also when a test fails: gunicorn
workers whose master was SIGKILLed would otherwise outlive the test.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: gunicorn's port (loopback only): ``CIPS_RELIABILITY_PORT``, else a free one, so that two test
#: sessions on one machine do not collide. The proxy always takes a free port.
FIXED_PORT = int(os.environ.get("CIPS_RELIABILITY_PORT", "0"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


STARTUP_TIMEOUT_S = 60


class Gunicorn:
    """The production server (``gunicorn 'cips:create_app()'``) that a test can crash and restart."""

    def __init__(self, database_url: str, log_dir: Path, workers: int = 2, threads: int = 8) -> None:
        self.env = dict(os.environ, CIPS_DATABASE_URL=database_url, CIPS_SECRET_KEY="reliability",
                        # Fault tests measure loss and duplication, not the per-device limit.
                        CIPS_API_RATE_LIMIT="1000000/minute")  # fmt: skip
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.port = FIXED_PORT or _free_port()  # kept across restarts: devices know one address
        # gthread workers: the threads of a worker share commits (group commit), so crashes hit batches too.
        self.args = [gunicorn, "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--threads",
                     str(threads), "--preload",
                     "--graceful-timeout", "2", "cips:create_app()"]  # fmt: skip
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.kills = 0

    def start(self) -> None:
        self.starts += 1
        log = (self.log_dir / f"gunicorn-{self.starts}.log").open("wb")
        self.proc = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)  # fmt: skip
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._healthy():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log_text = (self.log_dir / f"gunicorn-{self.starts}.log").read_text(errors="replace")
                raise RuntimeError(f"gunicorn did not start:\n{log_text[-3000:]}")
            time.sleep(0.05)

    def _healthy(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            conn.request("GET", "/healthz")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def crash(self) -> None:
        """SIGKILL the master, then its whole process group (the orphaned workers), mid-request."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.kills += 1

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self.proc = None

    @staticmethod
    def group_alive(pgid: int) -> bool:
        """Whether a process of group ``pgid`` is still running (zombies awaiting a reaper do not count)."""
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                # Fields after the parenthesised command name: state, ppid, pgrp, ...
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    return True
        return False


@dataclass
class ProxyStats:
    connections: int = 0
    cut_requests: int = 0
    dropped_responses: int = 0
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class ChaosProxy:
    """A loopback HTTP/1.1 relay (one request per connection) that breaks some connections on purpose.

    Per connection, drawn from a seeded generator: forward only part of the request body and
    close (the server sees a truncated upload), or forward the whole request, let the server
    answer, and close without relaying the answer (the client never learns it was stored).
    """

    def __init__(self, upstream_port: int, cut_rate: float, drop_rate: float, seed: int = 10) -> None:
        self.upstream_port = upstream_port
        self.cut_rate, self.drop_rate = cut_rate, drop_rate
        self.rng = random.Random(seed)
        self.stats = ProxyStats()
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=256)
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(0.2)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, name="chaos-proxy", daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.stats.lock:
                self.stats.connections += 1
                draw = self.rng.random()
            mode = "cut" if draw < self.cut_rate else "drop" if draw < self.cut_rate + self.drop_rate else "relay"
            threading.Thread(target=self._serve, args=(client, mode), daemon=True).start()

    @staticmethod
    def _read_request(client: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = client.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def _serve(self, client: socket.socket, mode: str) -> None:
        client.settimeout(30)
        with client:
            try:
                request = self._read_request(client)
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
            except OSError:
                with self.stats.lock:
                    self.stats.refused += 1
                return  # server down (being restarted): the client sees its connection closed
            with upstream:
                try:
                    if mode == "cut":
                        head_end = request.index(b"\r\n\r\n") + 4
                        upstream.sendall(request[: head_end + (len(request) - head_end) // 2])
                        with self.stats.lock:
                            self.stats.cut_requests += 1
                        return
                    upstream.sendall(request)
                    response = b""
                    while chunk := upstream.recv(65536):
                        response += chunk
                    if mode == "drop" and response:
                        with self.stats.lock:
                            self.stats.dropped_responses += 1
                        return
                    client.sendall(response)
                except OSError:
                    return

    def close(self) -> None:
        self.stopping.set()
        self.sock.close()
        self.thread.join(timeout=5)


@pytest.fixture
def gunicorn(loaded, database_url: str, tmp_path: Path) -> Iterator[Gunicorn]:
    """gunicorn on the test database (questionnaires and campaign ``test`` loaded); no leak after."""
    server = Gunicorn(database_url, tmp_path)
    groups: list[int] = []
    original_start = server.start

    def start() -> None:
        original_start()
        assert server.proc is not None
        groups.append(server.proc.pid)

    server.start = start  # type: ignore[method-assign]
    try:
        server.start()
        yield server
    finally:
        server.stop()
        for pgid in groups:  # every generation, including the SIGKILLed ones
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(server.group_alive(g) for g in groups) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(server.group_alive(g) for g in groups), "gunicorn processes outlived the test"


@pytest.fixture
def chaos_proxy(gunicorn: Gunicorn) -> Iterator[ChaosProxy]:
    proxy = ChaosProxy(gunicorn.port, cut_rate=0.03, drop_rate=0.03)
    try:
        yield proxy
    finally:
        proxy.close()
