"""Alembic environment: the URL comes from the CIPS configuration, the schema from the models."""

from __future__ import annotations

from alembic import context
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
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Write our own column type as the name the migration template imports.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "UTCDateTime()"
    return False


def _run(connection) -> None:
    # Batch mode lets later migrations ALTER tables on SQLite (it copies the table).
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True, render_item=_render_item)  # fmt: skip
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
