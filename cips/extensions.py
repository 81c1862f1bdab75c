"""Extensions, created unbound here and bound to an app in ``create_app``."""

from __future__ import annotations

import logging
import os
from contextlib import suppress
from typing import Any

from flask import Flask, current_app, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from analysis.files import PRIVATE_FILE

_log = logging.getLogger(__name__)
csrf = CSRFProtect()
# Every CIPS limit is counted in the shared store (cips.counters: the submission API, sign-in
# and password checks); Flask-Limiter is kept for its switch, RATELIMIT_ENABLED=False, which
# turns them all off. It counts nothing itself, so its storage is named (memory) only to keep it from
# warning about a missing one on every start and every `cips` command.
limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="memory://")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine whose commits are durable: once one returns, a power cut cannot undo it.

    A device deletes its copy of a submission once the server acknowledges it, so every
    connection that can acknowledge a write commits to stable storage first:

    * **SQLite**: WAL (readers, such as the manager's dashboard, run while tablets upload),
      ``synchronous=FULL`` (the WAL is fsynced at every commit; ``NORMAL`` only at
      checkpoints, so the last commits before a power cut could vanish), foreign keys on,
      and a busy timeout so that concurrent writers wait for the lock instead of failing.
    * **PostgreSQL**: ``synchronous_commit`` must not be ``off`` (a server or database
      configured that way acknowledges commits before their WAL is flushed): the session
      turns it back ``on``; the stronger settings (``remote_apply``, …) are kept. ``fsync``
      cannot be changed by a session: when the server runs with it off, a warning says so.
    """
    if url.startswith("sqlite"):
        create_private_sqlite(url)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgresql_durable_commits)
    return engine


def create_private_sqlite(url: str) -> None:
    """Create a new SQLite database file with mode 0600 before SQLite does (it would follow the
    umask, often world-readable). Its -wal and -shm files take the database file's mode."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:") and not os.path.exists(database):
        # No such folder: SQLite's own error says so on connect. Exists: another worker was first.
        with suppress(FileNotFoundError, FileExistsError):
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))


#: What every SQLite connection runs first (see :func:`make_engine`).
SQLITE_PRAGMAS = ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL", "busy_timeout=30000")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    for pragma in SQLITE_PRAGMAS:
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _postgresql_durable_commits(dbapi_conn: Any, _record: Any) -> None:
    autocommit = dbapi_conn.autocommit
    dbapi_conn.autocommit = True  # a SET inside a transaction that is later rolled back would not last
    try:
        cur = dbapi_conn.cursor()
        cur.execute("SELECT current_setting('synchronous_commit'), current_setting('fsync')")
        synchronous_commit, fsync = cur.fetchone()
        if synchronous_commit == "off":
            cur.execute("SET synchronous_commit TO on")
        cur.close()
    finally:
        dbapi_conn.autocommit = autocommit
    if fsync != "on":
        _log.warning("PostgreSQL runs with fsync=%s: a power cut can lose acknowledged submissions", fsync)


class Database:
    """One engine per app, one session per request (closed at teardown)."""

    def init_app(self, app: Flask) -> None:
        app.extensions["cips_engine"] = make_engine(app.config["DATABASE_URL"])
        app.teardown_appcontext(self._close_session)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["cips_engine"]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = Session(self.engine, expire_on_commit=False)
        return g.db_session

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
