"""Fixed-window counters shared by every worker and every app instance: rate limits and budgets.

Counters kept in a worker's memory let each gunicorn worker (and each server behind a load
balancer) grant the whole limit again. This store keeps them in a database instead, one row
per key and window, updated atomically, so every process reading the same store sees the
same counts. No redis needed.

Where the counters live (``CIPS_COUNTER_STORE_URL``, :func:`default_url`): with the default
SQLite database, a separate SQLite file beside it (``cips.sqlite3-counters``, created on
first use, WAL, no fsync: counters need no durability), so counting never waits for the
answers' write lock; with PostgreSQL, the app database's ``counter_window`` table (Alembic
creates it), written with ``synchronous_commit`` off, so every server of a cluster shares it.

How to use it (inside a request or app context)::

    from cips.counters import Check, client_key, counters

    store = counters()
    # Keys are HMAC-SHA256 with the instance secret: the address or account itself is never stored.
    by_address = client_key(store, "login-addr", request.remote_addr)  # an IPv6 address counts as its /64
    by_account = store.key("login-account", email.lower())
    refused = store.hit(Check(by_address, "10/minute"), Check(by_account, "5/minute"))
    if refused is not None:
        return jsonify(error="too many attempts, retry later"), 429, {"Retry-After": str(refused.retry_after)}

* ``Check(key, limit, cost=1)``: ``limit`` in the ``limits`` syntax (``"600/minute"``,
  ``"67108864/hour"``); ``cost`` is what this hit adds (1 for a request, a size in bytes for a
  byte budget).
* ``hit(*checks)`` is **all or nothing**: it counts every check, or none when one of them would
  go over its limit, and returns that one as a :class:`Refusal` (with ``retry_after``, the
  seconds until its window ends); None means allowed and counted. A count never exceeds its
  limit, so refused attempts do not push the window further.
* ``peek(check)``: the current count, without counting. ``forget(*keys)``: drop a key's
  windows (e.g. after a successful sign-in).
* Windows are fixed and aligned on the epoch (a "minute" is a calendar minute), as
  ``limits``' fixed-window strategy. ``store.clock`` (default ``time.time``) can be replaced
  by a test's clock: nothing here sleeps or reads the wall time otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import os
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from limits import RateLimitItem, parse, parse_many
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from cips.extensions import create_private_sqlite
from cips.models.counter import CounterWindow

#: Finished windows are deleted at most this often per process (seconds).
SWEEP_EVERY_S = 60.0
_TABLE = CounterWindow.__table__


def _create_table_once(engine: Engine, attempts: int = 5) -> None:
    """Create the counter table unless it exists, when several processes may try at the same moment.

    Gunicorn's workers open a fresh store together: each checks, finds no table, and all but the
    first then fail with "already exists". That failure means the work is done, so check again.
    """
    for attempt in range(attempts):
        try:
            _TABLE.create(engine, checkfirst=True)
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


@lru_cache(maxsize=64)
def _parse(limit: str) -> RateLimitItem:
    return parse(limit)


@dataclass(frozen=True)
class Check:
    """One counter to bump: ``key`` (see :meth:`CounterStore.key`), ``limit`` (``"600/minute"``), ``cost``."""

    key: str
    limit: str | RateLimitItem
    cost: int = 1

    @property
    def item(self) -> RateLimitItem:
        return _parse(self.limit) if isinstance(self.limit, str) else self.limit

    def window_end(self, now: float) -> int:
        period = self.item.get_expiry()
        return int(now // period + 1) * period


@dataclass(frozen=True)
class Refusal:
    """The check that would have gone over its limit, and when its window ends."""

    check: Check
    retry_after: int  # whole seconds, at least 1


#: Add ``cost`` to the key's window unless that would pass ``amount``; a row back means counted.
#: Plain SQL on DBAPI connections: through SQLAlchemy's Core a hit cost several times more
#: than the submission's own insert (measured with bench/ingest.py).
_UPSERT = (
    "INSERT INTO counter_window (key, window_end, hits) VALUES ({p}, {p}, {p}) "
    "ON CONFLICT (key, window_end) DO UPDATE SET hits = counter_window.hits + excluded.hits "
    "WHERE counter_window.hits + excluded.hits <= {p} RETURNING hits"
)
_PEEK = "SELECT hits FROM counter_window WHERE key = {p} AND window_end = {p}"
_SWEEP = "DELETE FROM counter_window WHERE window_end <= {p}"
_CLEAR = "DELETE FROM counter_window"


def default_url(database_url: str) -> str:
    """The counter store for an app database: a SQLite file beside a SQLite database, else that database."""
    if database_url.startswith("sqlite") and "///" in database_url:
        path = database_url.split("///", 1)[1]
        if path and path != ":memory:":
            return f"sqlite:///{path}-counters"
    return database_url


class CounterStore:
    """Fixed-window counters in a database table (see the module docstring)."""

    def __init__(self, url: str, secret: str | bytes, *, create_table: bool = True) -> None:
        self.url = url
        self.clock: Callable[[], float] = time.time
        self._secret = secret.encode() if isinstance(secret, str) else secret
        self._create_table = create_table  # False on the app database, whose schema Alembic owns
        self._engine: Engine | None = None
        self._guard = threading.Lock()
        self._idle: list[Any] = []
        self._pid = os.getpid()
        self._swept = 0.0

    # -- keys --------------------------------------------------------------------------
    def key(self, namespace: str, value: str) -> str:
        """``namespace:`` + HMAC-SHA256 of ``value`` with the instance secret (96 characters at most)."""
        digest = hmac.new(self._secret, f"{namespace}\0{value}".encode("utf-8", "replace"), hashlib.sha256)
        return f"{namespace[:60]}:{digest.hexdigest()[:32]}"

    # -- counting ----------------------------------------------------------------------
    def hit(self, *checks: Check) -> Refusal | None:
        """Count every check, or none: the first that would pass its limit is returned."""
        now = self.clock()
        for check in checks:
            if check.cost > check.item.amount:  # can never fit, even in an empty window
                return self._refusal(check, now)

        def count(cur: Any) -> Check | None:
            for check in checks:
                cur.execute(self._sql(_UPSERT), (check.key, check.window_end(now), check.cost, check.item.amount))
                if cur.fetchone() is None:
                    return check
            return None

        refused = self._transaction(count)
        if refused is not None:
            return self._refusal(refused, now)
        if now - self._swept >= SWEEP_EVERY_S or now < self._swept:
            # Finished windows cannot matter any more: delete them now and then so keys do not pile up.
            self._swept = now
            self._transaction(lambda cur: cur.execute(self._sql(_SWEEP), (int(now),)))
        return None

    def peek(self, check: Check) -> int:
        """What ``check.key`` counted in the current window."""

        def read(cur: Any) -> int:
            cur.execute(self._sql(_PEEK), (check.key, check.window_end(self.clock())))
            row = cur.fetchone()
            return 0 if row is None else int(row[0])

        return self._transaction(read, write=False)

    def forget(self, *keys: str) -> None:
        """Drop every window of ``keys``."""
        self._transaction(lambda cur: [cur.execute(f"{_CLEAR} WHERE key = {self._sql('{p}')}", (k,)) for k in keys])

    def clear(self) -> None:
        """Delete every window of this store (tests start from zero)."""
        if self.url.startswith("sqlite") and self._create_table and not Path(self._path).exists():
            return
        self._transaction(lambda cur: cur.execute(_CLEAR))

    @staticmethod
    def _refusal(check: Check, now: float) -> Refusal:
        return Refusal(check, max(1, math.ceil(check.window_end(now) - now)))

    # -- connections -------------------------------------------------------------------
    @property
    def _path(self) -> str:
        return self.url.split("///", 1)[1]

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._guard:
                if self._engine is None:
                    self._engine = self._make_engine()
        return self._engine

    def _make_engine(self) -> Engine:
        """Connections tuned for throwaway counts; the table made on first use in a store of its own."""
        sqlite_file = self.url.startswith("sqlite")
        if sqlite_file and self._create_table:
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        if sqlite_file:
            create_private_sqlite(self.url)
        engine = create_engine(self.url, poolclass=NullPool)  # connections are kept below, not by a pool

        @event.listens_for(engine, "connect")
        def _tune(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if sqlite_file:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=OFF")  # a count lost on power loss harms no one
                cur.execute("PRAGMA busy_timeout=30000")
            else:
                cur.execute("SET synchronous_commit TO off")  # this session's commits: no WAL flush wait
            cur.close()

        if self._create_table:
            _create_table_once(engine)
        return engine

    def _sql(self, template: str) -> str:
        return template.format(p="?" if self.engine.dialect.paramstyle == "qmark" else "%s")

    def _transaction(self, work: Callable[[Any], Any], *, write: bool = True) -> Any:
        """Run ``work(cursor)`` in one transaction, committed unless it returned a refusal (then rolled back).

        SQLite takes its write lock first (``BEGIN IMMEDIATE``), so two workers never deadlock
        upgrading a read lock. Errors come out as SQLAlchemy's (a locked or unreachable store is
        the app's 503 "retry later"); the connection that failed is closed, not reused.
        """
        conn = self._checkout()
        sqlite_file = self.engine.dialect.name == "sqlite"
        try:
            cur = conn.cursor()
            if sqlite_file:
                cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            result = work(cur)
            if isinstance(result, Check):
                conn.rollback()
            else:
                conn.commit()
            cur.close()
        except self.engine.dialect.loaded_dbapi.Error as exc:
            with suppress(Exception):
                conn.close()
            raise DBAPIError.instance(None, None, exc, self.engine.dialect.loaded_dbapi.Error) from exc
        except BaseException:
            with suppress(Exception):
                conn.close()
            raise
        self._checkin(conn)
        return result

    def _checkout(self) -> Any:
        with self._guard:
            if self._pid != os.getpid():  # a forked worker: the parent's connections are not its own
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        proxied = self.engine.raw_connection()
        conn = proxied.driver_connection
        proxied.detach()
        if self.engine.dialect.name == "sqlite":
            conn.isolation_level = None  # explicit BEGIN above; commit()/rollback() still end it
        return conn

    def _checkin(self, conn: Any) -> None:
        with self._guard:
            if self._pid == os.getpid():
                self._idle.append(conn)
                return
        with suppress(Exception):
            conn.close()

    def dispose(self) -> None:
        """Close the kept connections."""
        with self._guard:
            idle, self._idle = (self._idle, []) if self._pid == os.getpid() else ([], [])
        for conn in idle:
            with suppress(Exception):
                conn.close()
        if self._engine is not None:
            self._engine.dispose()


@lru_cache(maxsize=32)
def limit_windows(limit: str) -> tuple[RateLimitItem, ...]:
    """Every window of a limit such as ``"600/minute;10000/hour"``, longest first: when several
    are used up, the wait announced is then the real one."""
    return tuple(sorted(parse_many(limit), key=lambda item: -item.get_expiry()))


def address_group(address: str | None) -> str:
    """What a client address counts as: an IPv6 address counts as its /64 (one subscriber's
    network, whose 2^64 addresses would otherwise each get the whole limit)."""
    address = address or "unknown"
    with suppress(ValueError):
        ip = ipaddress.ip_address(address)
        if ip.version == 6 and ip.ipv4_mapped is None:
            address = str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return address


def client_key(store: CounterStore, namespace: str, address: str | None) -> str:
    """The counter key of a client address (see :func:`address_group`)."""
    return store.key(namespace, address_group(address))


def init_app(app: Flask) -> None:
    """One store per app, on ``COUNTER_STORE_URL`` (default: :func:`default_url` of the app database)."""
    url = app.config["COUNTER_STORE_URL"] or default_url(app.config["DATABASE_URL"])
    own = url != app.config["DATABASE_URL"]  # the app database's table is Alembic's to create
    app.extensions["cips_counters"] = CounterStore(url, app.config["SECRET_KEY"], create_table=own)


def counters() -> CounterStore:
    """The current app's store."""
    return current_app.extensions["cips_counters"]
