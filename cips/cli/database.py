"""``cips db``: schema migrations (Alembic owns the schema)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from alembic import command
from alembic.util.exc import CommandError
from flask import current_app
from flask.cli import with_appcontext

from cips.migrate import alembic_config


@contextmanager
def _alembic_errors(revision: str) -> Iterator[None]:
    """Alembic's refusals (unknown revision, no path between revisions) as a message."""
    try:
        yield
    except CommandError as exc:
        hint = "give head, base or a revision id from migrations/versions"
        raise click.ClickException(f"revision {revision!r}: {exc} ({hint})") from exc


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    """Migrate the database to REVISION (default: the latest)."""
    with _alembic_errors(revision):
        command.upgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (e.g. ``base``)."""
    with _alembic_errors(revision):
        command.downgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)
    click.echo(f"database at {revision}")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def revision(message: str) -> None:
    """Write a new migration from the difference between models and database."""
    command.revision(alembic_config(current_app.config["DATABASE_URL"]), message=message, autogenerate=True)
