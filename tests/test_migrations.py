"""Alembic owns the schema: the migrations produce exactly what the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import cips.models  # noqa: F401
from cips.extensions import make_engine
from cips.migrate import alembic_config


def test_migrations_autogenerate_finds_no_difference(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_migrations_downgrade_to_base_and_back(database_url: str) -> None:
    """Down to nothing and up again on each backend (PostgreSQL too: its types and constraints differ)."""
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "base")
    engine = make_engine(database_url)
    try:
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()
        command.upgrade(cfg, "head")  # the session's other tests need the schema back, whatever happened
    engine = make_engine(database_url)
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:  # and what came back is exactly what the models describe
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_migrations_cli_upgrade_creates_the_schema(tmp_path) -> None:
    from cips import create_app

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "submission" in inspect(app.extensions["cips_engine"]).get_table_names()


def test_migrations_upgrade_keeps_existing_data_on_sqlite(tmp_path) -> None:
    """Batch migrations copy and drop referenced tables on SQLite: stored answers must survive."""
    from cips import create_app
    from tests.helpers import payload

    url = f"sqlite:///{tmp_path / 'data.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "FORMS_DIR": str(Path(__file__).parents[1] / "forms")})
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["instruments", "load"],
                 ["campaign", "create", "test", "--name", "T", "--administration", "A", "--instrument", "officials",
                  "--languages", "fr"]):  # fmt: skip
        assert runner.invoke(args=args).exit_code == 0
    client = app.test_client()
    for _ in range(3):
        assert client.post("/api/v1/submissions", json=payload()).status_code == 201
    engine = app.extensions["cips_engine"]

    def counts() -> tuple[int, ...]:
        with engine.connect() as conn:
            return tuple(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
                         for t in ("campaign", "submission", "answer", "campaign_instrument"))  # fmt: skip

    before = counts()
    engine.dispose()
    cfg = alembic_config(url)
    command.downgrade(cfg, "0001")  # back to before the campaign table was first altered…
    command.upgrade(cfg, "head")  # …and up again through every batch migration, with data in place
    assert counts() == before and before[2] > 100
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1  # enforcement is back on
    engine.dispose()


def test_migrations_downgrade_refuses_to_drop_encrypted_campaigns(tmp_path) -> None:
    import pytest

    from cips import create_app
    from cips.crypto.seal import generate_private_key, public_pem

    url = f"sqlite:///{tmp_path / 'sealed.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "FORMS_DIR": str(Path(__file__).parents[1] / "forms")})
    runner = app.test_cli_runner()
    (tmp_path / "public.pem").write_text(public_pem(generate_private_key()))
    for args in (["db", "upgrade"], ["instruments", "load"],
                 ["campaign", "create", "sealed", "--name", "S", "--administration", "A", "--instrument", "officials",
                  "--languages", "fr", "--encrypt", "--public-key", str(tmp_path / "public.pem")]):  # fmt: skip
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    app.extensions["cips_engine"].dispose()
    with pytest.raises(RuntimeError, match="refusing to downgrade below 0003"):
        command.downgrade(alembic_config(url), "0002")
    engine = make_engine(url)
    with engine.connect() as conn:  # nothing was dropped: the refusal rolled the downgrade back
        assert conn.exec_driver_sql("SELECT encrypted FROM campaign").scalar_one() == 1
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == head
    engine.dispose()
