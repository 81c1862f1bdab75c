"""bench/ingest.py counts the rows it stored against the requests acknowledged, and fails on a shortfall.

The servers and wrk are replaced by stand-ins: what is tested is the bookkeeping and the exit
status, not the speed (that lives in the bench's own output).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench import ingest


class FakeServer:
    def __init__(self, url: str, workdir: Path, options: list[str], variant: str) -> None:
        self.port, self.log_path = 1, workdir / f"gunicorn-{variant}.log"
        self.log_path.write_text("")

    def wait_ready(self) -> None:
        pass

    def stop(self) -> None:
        pass


def run_bench(monkeypatch: pytest.MonkeyPatch, rows_on_disk: int, capsys) -> tuple[int, dict]:
    calls = {"ingest": 0}

    def fake_wrk(port, path, seconds, run, script, bodies, connections):
        if path.endswith("/submissions"):
            calls["ingest"] += 1
        return {"rps": 100.0, "p50_ms": 1.0, "p99_ms": 2.0, "requests": 100, "errors": 1, "acknowledged": 99}

    monkeypatch.setattr(ingest, "Server", FakeServer)
    monkeypatch.setattr(ingest, "wrk", fake_wrk)
    monkeypatch.setattr(ingest, "prepare", lambda url: None)
    monkeypatch.setattr(ingest, "stored_count", lambda url: rows_on_disk)
    monkeypatch.setattr(ingest, "realistic_payloads", lambda n: [{"uuid": "x", "answers": {"a": 1}}])
    monkeypatch.setattr(ingest.shutil, "which", lambda name: "/usr/bin/wrk")
    monkeypatch.setattr(sys, "argv", ["ingest.py", "--only", "sqlite", "--rounds", "2"])
    code = 0
    try:
        ingest.main()
    except SystemExit as exc:
        code = 1 if exc.code else 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # Three write paths, two rounds, each warmed up then measured: 99 acknowledged per run.
    assert calls["ingest"] == 12 and figures["sqlite_acknowledged"] == 12 * 99
    return code, figures


def test_bench_ingest_exits_1_when_fewer_rows_are_stored_than_acknowledged(monkeypatch, capsys) -> None:
    code, figures = run_bench(monkeypatch, rows_on_disk=12 * 99 - 1, capsys=capsys)
    assert code == 1 and figures["sqlite_lost"] == 1


def test_bench_ingest_passes_when_every_acknowledged_request_is_stored(monkeypatch, capsys) -> None:
    code, figures = run_bench(monkeypatch, rows_on_disk=12 * 99 + 3, capsys=capsys)  # a few stored, unanswered
    assert code == 0 and "sqlite_lost" not in figures
