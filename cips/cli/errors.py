"""Errors the ``cips`` commands report as one line (``Error: ...``, exit code 1), not a traceback.

Two kinds: a database that cannot be used (bad URL, server down, wrong password, schema not
migrated) and an output file that cannot be written. Anything else is a bug and keeps its
traceback, so that it gets reported and fixed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from analysis.files import output_problem


def shown_url(url: str) -> str:
    """The database URL without its password, to name it in a message."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)


def database_message(exc: OperationalError, url: str | None) -> str:
    """``OperationalError`` as one line: the driver's first line says what went wrong."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    where = f"the database {shown_url(url)}" if url else "the database"
    missing_table = "no such table" in reason or ("relation" in reason and "does not exist" in reason)
    hint = " (is it migrated? run `cips db upgrade`)" if missing_table else ""
    return f"cannot use {where}: {reason}{hint}"


#: PostgreSQL SQLSTATE classes that mean "this database cannot be used from here": connection
#: exceptions, invalid authorisation, unknown database, server shutting down or starting; and an
#: unknown table (a database never migrated).
_UNUSABLE_SQLSTATES = ("08", "28", "3D", "57P", "42P01")
#: SQLite's way of saying the same: a file it cannot open, a schema never migrated, a file held by a writer.
_UNUSABLE_SQLITE = ("unable to open database file", "no such table", "database is locked")


def database_unusable(exc: OperationalError) -> bool:
    """Whether ``exc`` says the database cannot be reached or used, rather than a statement failing."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", "missing")
    if sqlstate is None:  # psycopg: no answer from a server at all (refused, unknown host, timeout)
        return True
    if isinstance(sqlstate, str) and sqlstate != "missing":
        return sqlstate.startswith(_UNUSABLE_SQLSTATES)
    return any(text in str(orig or exc) for text in _UNUSABLE_SQLITE)


def friendly_database_errors(callback: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command's callback: a database that cannot be reached or used is a message."""

    @functools.wraps(callback)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except OperationalError as exc:
            if not database_unusable(exc):
                raise  # a failing statement (a bug, a deadlock, a full disk) keeps its traceback
            from flask import current_app

            url = current_app.config.get("DATABASE_URL") if current_app else None
            raise click.ClickException(database_message(exc, url)) from exc

    return wrapper


def wrap_commands(command: click.Command) -> None:
    """Apply :func:`friendly_database_errors` to a command and, for a group, all its subcommands."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            wrap_commands(sub)
    if command.callback is not None and not getattr(command.callback, "__cips_wrapped__", False):
        command.callback = friendly_database_errors(command.callback)
        command.callback.__cips_wrapped__ = True  # type: ignore[attr-defined]


def check_output_path(path: Path) -> None:
    """Refuse, before any work is done or audited, a file that could not be written (one line naming it)."""
    problem = output_problem(path)
    if problem:
        raise click.ClickException(problem)


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Writing ``path``: a failure (disk full, no permission) is one line naming the file."""
    try:
        yield
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write: {exc.strerror or exc}") from exc
