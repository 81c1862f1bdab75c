"""Configuration from the environment; SQLite set up for concurrent fieldwork."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from cips import create_app
from cips.config import instance_secret_key
from cips.models import Administration


def test_config_reads_database_url_from_environment(monkeypatch) -> None:
    monkeypatch.setenv("CIPS_DATABASE_URL", "sqlite:////tmp/from-env.sqlite3")
    assert create_app().config["DATABASE_URL"] == "sqlite:////tmp/from-env.sqlite3"


def test_config_default_database_is_sqlite_in_instance(monkeypatch) -> None:
    monkeypatch.delenv("CIPS_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{app.instance_path}/cips.sqlite3"


def test_config_secret_key_is_generated_once_and_kept(tmp_path) -> None:
    first = instance_secret_key(tmp_path)
    assert len(first) == 64
    assert instance_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_config_sqlite_uses_wal_and_foreign_keys(tmp_path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    with app.extensions["cips_engine"].connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_config_timestamps_come_back_utc_aware(app) -> None:
    with Session(app.extensions["cips_engine"]) as session:
        session.add(Administration(name="Tz test"))
        session.commit()
        row = session.exec(select(Administration)).one()
        assert row.created_at.tzinfo is not None
        assert row.created_at.utcoffset().total_seconds() == 0
        assert abs((datetime.now(UTC) - row.created_at).total_seconds()) < 60


def test_config_naive_timestamps_are_refused(app) -> None:
    with Session(app.extensions["cips_engine"]) as session:
        session.add(Administration(name="Naive", created_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            session.commit()


def test_config_error_pages_answer_json_or_html_by_accept(client) -> None:
    as_json = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert as_json.status_code == 404 and as_json.is_json
    as_html = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert as_html.status_code == 404 and as_html.mimetype == "text/html"


def test_config_analysis_never_imports_flask() -> None:
    import subprocess
    import sys

    code = "import sys, analysis; assert 'flask' not in sys.modules and 'cips' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_config_app_starts_without_warnings(tmp_path) -> None:
    # Every `cips` command builds the app: a warning here is printed before each command's own output.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "SECRET_KEY": "k",
                    "INSTANCE_PATH": str(tmp_path)})  # fmt: skip
