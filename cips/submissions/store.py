"""Writing a validated submission: the few statements of the hot path, tuned per database.

Measured with ``bench/ingest.py`` (gunicorn, 50 connections, ~65 answers per body):

* **PostgreSQL**: the cost is round trips and the commit's WAL flush, not CPU. The lookups
  run on an autocommit connection (no ``BEGIN`` round trip) and the submission and all
  its answers go in **one** statement (a data-modifying CTE with ``unnest`` of three
  arrays), which commits by itself: two round trips per submission instead of five.
  The statement text never changes, so psycopg prepares it once per connection.
* **SQLite**: one writer at a time is SQLite's rule, and a writer that finds the database
  locked sleeps in SQLite's busy handler (1, 2, 5, 10 ms…) instead of waking when the
  lock is free. Ingest writers therefore queue on a lock of their own (a thread lock plus
  an ``flock`` on a file beside the database, shared by gunicorn's worker processes),
  which wakes the next writer the moment the previous one commits. Other writers (the
  CLI, the manager side) still rely on the busy timeout: the lock is an optimisation,
  never needed for correctness.

Either way one submission is one transaction: all its answers are stored, or none.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from cips.models import Answer, Submission
from cips.submissions.payload import AnswerRow

try:
    import fcntl
except ImportError:  # not POSIX: threads of one process still queue; processes fall back on the busy timeout
    fcntl = None  # type: ignore[assignment]

_AUTOCOMMIT = "cips_autocommit_connection"
_INSERT_SUBMISSION = Submission.__table__.insert()
_INSERT_ANSWERS = Answer.__table__.insert()

_PG_INSERT = """
WITH s AS (
    INSERT INTO submission (uuid, campaign_id, instrument_id, device_id, language, started_at, submitted_at,
                            received_at, status, payload_hash)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
    RETURNING id
)
INSERT INTO answer (submission_id, item_id, value_num, value_text)
SELECT s.id, a.item_id, a.value_num, a.value_text
FROM s, unnest(%s::varchar[], %s::float8[], %s::text[]) AS a(item_id, value_num, value_text)
"""
_PG_COLUMNS = ("uuid", "campaign_id", "instrument_id", "device_id", "language", "started_at", "submitted_at",
               "received_at", "status", "payload_hash")  # fmt: skip


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lookup_connection(session: Session) -> Connection:
    """Where the write path reads campaign and instrument: autocommit on PostgreSQL, else the session's."""
    if not _is_postgresql(session):
        return session.connection()
    conn = session.info.get(_AUTOCOMMIT)
    if conn is None or conn.closed:
        conn = session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT")
        session.info[_AUTOCOMMIT] = conn
    return conn


def release(session: Session) -> None:
    """Give back the autocommit connection of :func:`lookup_connection`, if one was taken."""
    conn = session.info.pop(_AUTOCOMMIT, None)
    if conn is not None:
        conn.close()


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)  # as the UTCDateTime column type stores it


def insert_submission(
    session: Session, values: dict[str, Any], rows: list[AnswerRow], claim: Callable[[], bool] | None = None
) -> bool:
    """Store the submission row and its answers in one transaction; raises IntegrityError on a known uuid.

    ``claim`` runs inside the same transaction (an invitation token); when it returns False
    everything is rolled back and False is returned.
    """
    if claim is None and _is_postgresql(session):
        params = [values[c] for c in _PG_COLUMNS]
        params[5], params[6], params[7] = _utc(params[5]), _utc(params[6]), _utc(params[7])
        params += [[r.item_id for r in rows], [r.value_num for r in rows], [r.value_text for r in rows]]
        lookup_connection(session).exec_driver_sql(_PG_INSERT, tuple(params))
        return True
    with _sqlite_writer(session.get_bind()):
        conn = session.connection()
        submission_id = conn.execute(_INSERT_SUBMISSION, values).inserted_primary_key[0]
        if rows:
            _insert_answers(conn, submission_id, rows)
        if claim is not None and not claim():
            session.rollback()
            return False
        session.commit()
    return True


def _insert_answers(conn: Connection, submission_id: int, rows: list[AnswerRow]) -> None:
    """All answers in one multi-row ``INSERT … VALUES (…), (…)``, straight to the driver.

    SQLAlchemy's per-row parameter processing was the largest single cost of a submission
    in the profile (~75 rows each); these four columns need no type conversion.
    """
    if conn.dialect.paramstyle != "qmark":  # not sqlite3 (PostgreSQL with an invitation claim): Core
        columns = ("submission_id", "item_id", "value_num", "value_text")
        conn.execute(_INSERT_ANSWERS, [dict(zip(columns, (submission_id, *row), strict=True)) for row in rows])
        return
    values = ", ".join(["(?, ?, ?, ?)"] * len(rows))
    params = tuple(value for row in rows for value in (submission_id, *row))
    conn.exec_driver_sql(f"INSERT INTO answer (submission_id, item_id, value_num, value_text) VALUES {values}", params)


_writer_locks: dict[str, tuple[int, threading.Lock, int | None]] = {}
_writer_locks_guard = threading.Lock()


@contextmanager
def _sqlite_writer(engine: Engine) -> Iterator[None]:
    """Queue ingest writers of one SQLite file: in this process (thread lock), then across processes (flock)."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    with _writer_locks_guard:
        entry = _writer_locks.get(path)
        if entry is None or entry[0] != os.getpid():  # a forked worker opens its own file description
            fd = os.open(f"{path}.ingest-lock", os.O_RDWR | os.O_CREAT, 0o600) if fcntl else None
            entry = _writer_locks[path] = (os.getpid(), threading.Lock(), fd)
    _pid, lock, fd = entry
    with lock:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
