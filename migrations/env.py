"""Alembic environment: the URL comes from the CIPS configuration, the schema from the models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import event
from sqlmodel import SQLModel

import cips.models  # noqa: F401  (registers every table on SQLModel.metadata)
from cips.extensions import make_engine
from cips.models.base import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    # Plain `alembic -c ...` without the app: read the same environment as the app.
    import os

    return os.environ["CIPS_DATABASE_URL"]


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # a test hands us its own connection
        _run(connection)
        return
    engine = make_engine(_url())
    if engine.dialect.name == "sqlite":
        # pysqlite commits on its own before DDL, so a migration that fails half-way would
        # leave half a schema. Driver autocommit plus an explicit BEGIN makes the whole
        # upgrade one transaction, DDL included (SQLAlchemy's documented SQLite recipe).
        @event.listens_for(engine, "connect")
        def _driver_autocommit(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:
            conn.exec_driver_sql("BEGIN")

    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Write our own column type as the name the migration template imports.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "UTCDateTime()"
    return False


def _run(connection) -> None:
    # Batch mode lets later migrations ALTER tables on SQLite (it copies the table, drops the
    # old one and renames the copy). Dropping a table that others reference fails while
    # foreign keys are enforced, so they are off during the migration (the pragma only takes
    # effect outside a transaction) and checked before being switched back on.
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # on the driver connection: a PRAGMA inside a transaction is ignored
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    # transactional_ddl: Alembic assumes SQLite cannot roll DDL back; with the BEGIN of
    # run_migrations_online it can, and a failed upgrade then leaves the schema untouched.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True, render_item=_render_item, transactional_ddl=True)  # fmt: skip
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:  # checked before the commit, so that a violation rolls the whole upgrade back
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left rows that break foreign keys: {broken[:5]}")
    if sqlite:
        connection.commit()
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
