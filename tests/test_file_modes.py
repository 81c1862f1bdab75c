"""Files that hold answers or secrets are the owner's only: 0600 files, 0700 folders, whatever the umask."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import text

from analysis.__main__ import write_rows
from analysis.files import private_dir, private_open
from cips.extensions import make_engine
from cips.migrate import alembic_config
from tests.helpers import payload


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The common 022 umask, under which a plain open() makes world-readable files."""
    import os

    old = os.umask(0o022)
    yield
    os.umask(old)


def test_file_modes_new_sqlite_database_and_its_wal_are_private(tmp_path: Path) -> None:
    db = tmp_path / "cips.sqlite3"
    url = f"sqlite:///{db}"
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with engine.connect() as conn:  # a reader keeps the -wal and -shm files open
        conn.execute(text("SELECT 1"))
        files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    engine.dispose()


def test_file_modes_report_cache_and_export_are_private(loaded: Flask, runner, tmp_path: Path, monkeypatch) -> None:
    device = loaded.test_client()
    for _ in range(6):
        assert device.post("/api/v1/submissions", json=payload()).status_code == 201
    cache = tmp_path / "private-cache"
    loaded.config.update(REPORT_CACHE_DIR=str(cache), JOBS_SYNC=True)
    # The report's content does not matter here, only the files it is kept in.
    monkeypatch.setattr("cips.services.reports.campaign_report", lambda *args, **kwargs: None)
    monkeypatch.setattr("analysis.report.render_html", lambda report: "<html></html>")
    with loaded.test_request_context():
        from cips.extensions import db
        from cips.manage.report_cache import rendered
        from cips.services.campaigns import get_campaign

        assert rendered(get_campaign(db.session, "test"), "en", "html") == b"<html></html>"
    assert _mode(cache) == 0o700
    assert [_mode(f) for f in cache.iterdir()] == [0o600]
    assert runner.invoke(args=["export", "test", "--format", "csv", "--out", str(tmp_path / "x.csv")]).exit_code == 0
    assert _mode(tmp_path / "x.csv") == 0o600
    # the counter store beside a SQLite database is a database of its own (on PostgreSQL: a table)
    url = loaded.extensions["cips_counters"].url
    if url.startswith("sqlite:///"):
        counters = Path(url.removeprefix("sqlite:///"))
        assert counters.exists() and _mode(counters) == 0o600


def test_file_modes_analysis_outputs_and_helpers(tmp_path: Path) -> None:
    rows = [{"answer": "a", "labels": ["hrm"], "primary": "hrm", "scores": {}}]
    for name in ("coded.csv", "coded.jsonl"):
        write_rows(tmp_path / name, rows)
        assert _mode(tmp_path / name) == 0o600
    old = tmp_path / "old.csv"
    old.write_text("x")
    old.chmod(0o644)
    with private_open(old, "w") as fh:  # an existing file is made private too
        fh.write("y")
    assert _mode(old) == 0o600 and old.read_text() == "y"
    folder = private_dir(tmp_path / "a" / "b")
    assert _mode(folder) == 0o700
