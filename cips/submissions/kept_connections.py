"""DBAPI connections kept for the ingest path (:mod:`cips.submissions.direct`), outside SQLAlchemy's pool.

A list of idle connections, not SQLAlchemy's pool: its checkout (a ping round trip on
PostgreSQL) and reset on return cost more than the ingest path's own statements. Not
thread-locals either: a server that starts a thread per request would open one connection
per request. Idle connections are at most the peak of concurrent writes. Each runs in
autocommit (explicit transactions: none stays open between requests); one the server ended
(restart, failover) is dropped with the other idle ones and the work retried once on a new one.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from cips.submissions.errors import Errors


class KeptConnections:
    """The idle DBAPI connections of one engine, and running work on one of them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)  # the engine owns the writer (see direct.writer_for), not the other way
        self.dialect = engine.dialect
        self.errors = self.dialect.loaded_dbapi
        self._idle: list[Any] = []
        self._idle_pid = os.getpid()
        self._idle_guard = threading.Lock()
        self._generation = 0  # bumped by close(): a connection out at that moment is closed on return

    def _checkout(self, fresh: bool = False) -> Any:
        with self._idle_guard:
            if self._idle_pid != os.getpid():  # forked: the parent's connections are not ours to use or close
                self._idle, self._idle_pid = [], os.getpid()
            if self._idle and not fresh:
                return self._idle.pop()
        engine = self._engine()
        if engine is None:
            raise RuntimeError(Errors.E701)
        # The pool's connect events run (SQLite pragmas), then the connection leaves the pool for good.
        proxied = engine.raw_connection()
        conn = proxied.driver_connection
        proxied.detach()
        if self.dialect.name == "sqlite":
            conn.isolation_level = None  # explicit BEGIN/COMMIT below
        else:
            conn.autocommit = True
        return conn

    def _checkin(self, conn: Any, generation: int | None = None) -> None:
        with self._idle_guard:
            if generation is None or generation == self._generation:
                self._idle.append(conn)
                return
        self._discard(conn)  # it was in use when the engine was disposed: it must not outlive that

    def _discard(self, conn: Any) -> None:
        with suppress(self.errors.Error):  # it may be broken already: that is why it goes
            conn.close()

    def _run(self, work: Callable[[Any], Any]) -> Any:
        """Run ``work(connection)``; DBAPI errors come out as SQLAlchemy's (``OperationalError`` → 503).

        A connection the server ended (restart, failover) is replaced and the work done once
        more on a new one; the other idle connections are dropped too, since a restart ends
        them all. Other errors (a known uuid, a locked SQLite file) are not retried here.
        """
        try:
            return self._attempt(work)
        except self.errors.Error as exc:
            raise DBAPIError.instance(None, None, exc, self.errors.Error, dialect=self.dialect) from exc

    def _attempt(self, work: Callable[[Any], Any]) -> Any:
        for attempt in (1, 2):
            generation = self._generation
            conn = self._checkout(fresh=attempt == 2)
            try:
                result = work(conn)
            except BaseException as exc:
                if self._lost(conn, exc):
                    self._discard(conn)
                    if attempt == 1:
                        self.close()
                        continue
                elif self._idle_between_statements(conn):
                    self._checkin(conn, generation)  # a refused statement leaves it usable (no transaction open)
                else:
                    self._discard(conn)
                raise
            self._checkin(conn, generation)
            return result
        raise AssertionError("unreachable")

    def _lost(self, conn: Any, exc: BaseException) -> bool:
        """Whether ``exc`` means the server side of ``conn`` is gone, so the work may go to a new one."""
        if self.dialect.name == "sqlite":  # no server to restart: "database is locked" is not a dead connection
            return False
        if conn.closed or conn.broken:  # libpq saw the server end it (restart, pg_terminate_backend)
            return True
        # How a restart surfaces depends on timing: when the socket reports a hang-up before
        # libpq reads the server's goodbye, psycopg raises "connection socket closed" and the
        # connection still looks open, with its command in flight. An operational error that
        # leaves the connection anywhere but idle has lost it all the same.
        return isinstance(exc, self.errors.OperationalError) and not self._idle_between_statements(conn)

    def _idle_between_statements(self, conn: Any) -> bool:
        if self.dialect.name == "sqlite":
            return not conn.in_transaction
        return conn.info.transaction_status == 0  # psycopg.pq.TransactionStatus.IDLE

    def close(self, *_args: Any) -> None:
        """Close the idle connections now, those in use when they come back (on ``engine.dispose()``).

        A gunicorn worker closes its own by exiting.
        """
        with self._idle_guard:
            self._generation += 1
            idle, self._idle = (self._idle, []) if self._idle_pid == os.getpid() else ([], [])
        for conn in idle:
            with suppress(self.errors.Error):
                conn.close()
