"""Extensions, created unbound here and bound to an app in ``create_app``."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

csrf = CSRFProtect()
# Counters live in memory by default (per gunicorn worker); set CIPS_RATELIMIT_STORAGE_URI
# (e.g. redis://) to share them. The client address is used only as a transient counter key,
# never written anywhere near answers.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    WAL lets readers (the manager's dashboard) run while tablets upload, and the
    busy timeout makes concurrent writers wait for the lock instead of failing.
    """
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


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
