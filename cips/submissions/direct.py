"""The ingest hot path, straight on DBAPI connections kept for it.

Measured with ``bench/ingest.py`` and a profile of one request: with ~68 answers per
submission, the ORM session around the write (its creation, a pool checkout with
``pre_ping`` on PostgreSQL, the reset on return, SQLAlchemy's execution contexts) cost
more than the database's own work. So the common case — a plaintext submission
without an invitation — reads its campaign and writes its rows here, on a connection
kept for ingestion only:

* **Invitations**: a submission that claims an invitation token marks it used in the same
  transaction as its rows (:data:`cips.submissions.invites.CLAIM`, a conditional UPDATE), in a
  transaction of its own: if another submission took the token first, its rows are rolled back
  and it fails with :class:`~cips.submissions.invites.InviteTaken`, the others not at all.
* **Autocommit**, explicit transactions. No transaction stays open between requests,
  so a kept connection never holds a lock or a snapshot (migrations and the test
  suite's ``DROP`` are not blocked by it).
* **Durable commits, shared**: a commit waits for the disk (see ``make_engine``), so the
  submissions that arrive while one is in flight share the next transaction
  (:mod:`cips.submissions.group_commit`); each is answered after that commit.
* **SQLite**: one writer at a time is SQLite's rule, and a writer that finds the database
  locked sleeps in SQLite's busy handler (1, 2, 5, 10 ms…) instead of waking when the
  lock is free. Ingest writers therefore queue on a lock of their own (a thread lock plus
  an ``flock`` on a file beside the database, shared by gunicorn's worker processes),
  which wakes the next writer the moment the previous one commits. ``BEGIN IMMEDIATE``
  then takes SQLite's write lock at once. Other writers (the CLI, the manager side) rely
  on the busy timeout: the queue is an optimisation, never needed for correctness.
* **PostgreSQL**: the cost is round trips and the commit's WAL flush. A whole batch —
  submissions and all their answers — goes in **one** statement (a data-modifying CTE
  with ``unnest`` of one array per column) that commits by itself; its text never
  changes, so psycopg prepares it once per connection.

SQL and value conversion come from the SQLModel tables (compiled once per dialect, the
columns' own bind processors), so rows written here are exactly what the ORM writes.
A connection the server ended (restart, failover) is dropped with the other idle ones and
the operation retried once on a new one: the uuid's unique constraint makes the retry safe.
Errors come out as SQLAlchemy's, so the app answers a locked or unreachable database with
its 503 "retry later", as on every other path.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select

from cips.models import Answer, Campaign, Submission
from cips.submissions.errors import Errors
from cips.submissions.group_commit import GroupCommit, Job, sqlite_writer_queue
from cips.submissions.invites import CLAIM, InviteTaken
from cips.submissions.kept_connections import KeptConnections
from cips.submissions.payload import AnswerRow

SUBMISSION_COLUMNS = ("uuid", "campaign_id", "instrument_id", "device_id", "language", "started_at", "submitted_at",
                      "received_at", "status", "payload_hash", "paradata")  # fmt: skip
#: The answer table's columns in the order of ``(submission_id, *AnswerRow)``.
ANSWER_KEYS = ("submission_id", "item_id", "value_num", "value_text")
ANSWER_COLUMNS = ", ".join(ANSWER_KEYS)

# A known uuid is not an error here: the row stays as it was and the caller compares hashes (a
# retry or a conflict). So one submission's retry never aborts the transaction it shares.
_SQLITE_SUBMISSION = (f"INSERT INTO submission ({', '.join(SUBMISSION_COLUMNS)}) "
                      f"VALUES ({', '.join(['?'] * len(SUBMISSION_COLUMNS))}) "
                      "ON CONFLICT (uuid) DO NOTHING")  # fmt: skip
_SQLITE_ANSWER_ROW = "(?, ?, ?, ?)"
_EXISTING_HASH = {"qmark": "SELECT payload_hash FROM submission WHERE uuid = ?",
                  "pyformat": "SELECT payload_hash FROM submission WHERE uuid = %s"}  # fmt: skip


def _postgresql_batch_insert(dialect: Any) -> str:
    """One statement for a whole batch: its submissions, then the answers of those that were new.

    The values come as one array per column (``unnest``), so the text is the same whatever
    the batch size and psycopg prepares it once. ``RETURNING uuid`` names the new ones; a
    known uuid inserts nothing and is left for the caller to compare.
    """
    table = Submission.__table__
    arrays = ", ".join(f"%s::{table.c[name].type.compile(dialect=dialect)}[]" for name in SUBMISSION_COLUMNS)
    uuid_array = f"{table.c.uuid.type.compile(dialect=dialect)}[]"
    return f"""
WITH s AS (
    INSERT INTO submission ({", ".join(SUBMISSION_COLUMNS)})
    SELECT * FROM unnest({arrays})
    ON CONFLICT (uuid) DO NOTHING
    RETURNING id, uuid
), a AS (
    INSERT INTO answer ({ANSWER_COLUMNS})
    SELECT s.id, a.item_id, a.value_num, a.value_text
    FROM unnest(%s::{uuid_array}, %s::varchar[], %s::float8[], %s::text[])
        WITH ORDINALITY AS a(uuid, item_id, value_num, value_text, n)
    JOIN s ON s.uuid = a.uuid
    ORDER BY a.n
)
SELECT uuid FROM s
"""


class _JobFault(Exception):
    """A statement that wrote the jobs' own rows failed: one of them may be the cause."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


#: A job's work: the submission's bound parameters, its answers, and the bound parameters of
#: its invitation claim (None when it claims none).
Work = tuple[list[Any], list[AnswerRow], Any]


if tuple(Answer.__table__.c.keys()[1:]) != ANSWER_KEYS:
    raise ImportError(Errors.E703)


class DirectWriter(KeptConnections):
    """Lookups and inserts of the ingest path for one engine, on connections kept for it."""

    def __init__(self, engine: Engine, lookup: Select) -> None:
        super().__init__(engine)
        self.database = engine.url.database if engine.dialect.name == "sqlite" else None
        compiled = lookup.compile(dialect=self.dialect)
        self._lookup_sql = str(compiled)
        self._lookup_names = compiled.positiontup if compiled.positional else None
        self._languages = Campaign.__table__.c.languages.type.dialect_impl(self.dialect).result_processor(
            self.dialect, None
        )
        table = Submission.__table__
        self._bind = [table.c[name].type.dialect_impl(self.dialect).bind_processor(self.dialect)
                      for name in SUBMISSION_COLUMNS]  # fmt: skip
        self._pg_batch = _postgresql_batch_insert(self.dialect) if self.dialect.name == "postgresql" else ""
        claim = CLAIM.compile(dialect=self.dialect)
        self._claim_sql = str(claim)
        self._claim_names = claim.positiontup if claim.positional else None
        self._claim_bind = {name: bind.type.dialect_impl(self.dialect).bind_processor(self.dialect)
                            for name, bind in claim.binds.items()}  # fmt: skip
        self.group = GroupCommit(self._commit)

    # -- the two operations ----------------------------------------------------------
    def lookup(self, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Rows of the write path's target query (campaign, its instrument), languages decoded."""
        args = tuple(params[name] for name in self._lookup_names) if self._lookup_names else params

        def run(conn: Any) -> list[tuple[Any, ...]]:
            cur = conn.execute(self._lookup_sql, args)
            rows = cur.fetchall()
            cur.close()
            return rows

        rows = self._run(run)
        if self._languages is None:
            return [tuple(r) for r in rows]
        return [(r[0], self._languages(r[1]), *r[2:]) for r in rows]

    def insert(self, values: dict[str, Any], rows: list[AnswerRow], claim: dict[str, Any] | None = None) -> str | None:
        """Store the submission and its answers durably; return once they are committed.

        A column missing from ``values`` is NULL (paradata, which a record may lack).
        Returns None when stored, or the stored ``payload_hash`` when the uuid was already there
        (an invitation is then left as it was). With ``claim`` (the parameters of
        :data:`~cips.submissions.invites.CLAIM`), the invitation is claimed in the same
        transaction; :class:`~cips.submissions.invites.InviteTaken` when another submission has it.
        Concurrent calls in one process share a transaction (:mod:`cips.submissions.group_commit`);
        each still gets exactly the outcome it would have had alone:

        * a known uuid inserts nothing and aborts nothing (``ON CONFLICT (uuid) DO NOTHING``);
          two jobs of one batch with the same uuid go in successive transactions;
        * when a statement holding the jobs' rows fails (another constraint, a value the
          database refuses), the transaction is rolled back and each job is written again
          alone, so the failure stays with the job that caused it;
        * a failure that is no job's doing (the database locked or unreachable, the commit
          itself failing, a full disk on PostgreSQL) fails every job of the batch, none
          acknowledged: each device keeps its record and retries (503).
        """
        params = [bind(values.get(name)) if bind else values.get(name)
                  for name, bind in zip(SUBMISSION_COLUMNS, self._bind, strict=True)]  # fmt: skip
        if claim is not None:
            bound = {name: self._claim_bind[name](value) if self._claim_bind.get(name) else value
                     for name, value in claim.items()}  # fmt: skip
            claim_args = tuple(bound[name] for name in self._claim_names) if self._claim_names else bound
            return self.group.submit((params, rows, claim_args))
        return self.group.submit((params, rows, None))

    def _commit(self, take: Callable[[], list[Job]]) -> None:
        if self.dialect.name == "sqlite":
            # Queue first, take the batch then: what arrived while other writers held the file joins it.
            with sqlite_writer_queue(self.database):
                self._write(take())
        else:
            self._write(take())

    def _write(self, jobs: list[Job]) -> None:
        """Write ``jobs`` and settle each (see :meth:`insert`): one transaction for those that claim
        no invitation, one each for those that do (a claim lost rolls back its own rows only)."""
        batch, later, uuids = [], [], set()
        for job in jobs:
            uuid_param = job.work[0][0]
            (later if uuid_param in uuids else batch).append(job)
            uuids.add(uuid_param)
        together = [job for job in batch if job.work[2] is None]
        if together:
            self._write_together(together)
        for job in batch:
            if job.work[2] is not None:
                self._write_together([job])
        if later:
            self._write(later)

    def _write_together(self, batch: list[Job]) -> None:
        write = self._insert_postgresql if self.dialect.name == "postgresql" else self._insert_sqlite
        try:
            results = self._run(lambda conn: write(conn, [job.work for job in batch]))
        except _JobFault as fault:
            if len(batch) > 1:
                for job in batch:
                    self._write([job])
            else:
                error = DBAPIError.instance(None, None, fault.error, self.errors.Error, dialect=self.dialect)
                batch[0].failed(error)
        except Exception as exc:
            for job in batch:
                job.failed(exc)
        else:
            for job, result in zip(batch, results, strict=True):
                if isinstance(result, InviteTaken):
                    job.failed(result)
                else:
                    job.done(result)

    def _insert_postgresql(self, conn: Any, batch: list[Work]) -> list[str | InviteTaken | None]:
        claim = batch[0][2]  # a job that claims an invitation is written alone (see _write)
        if claim is None:
            return self._insert_postgresql_batch(conn, batch)
        conn.execute("BEGIN")
        try:
            result = self._insert_postgresql_batch(conn, batch)[0]
            if result is None and self._claim(conn, claim) != 1:
                conn.execute("ROLLBACK")
                return [InviteTaken()]
            conn.execute("COMMIT")
        except BaseException:
            if conn.info.transaction_status != 0 and not conn.closed:  # not idle: end what this began
                with suppress(self.errors.Error):
                    conn.execute("ROLLBACK")
            raise
        return [result]

    def _insert_postgresql_batch(self, conn: Any, batch: list[Work]) -> list[str | None]:
        columns = [list(values) for values in zip(*(params for params, _rows, _claim in batch), strict=True)]
        answers: list[list[Any]] = [[], [], [], []]
        for params, rows, _claim in batch:
            for row in rows:
                answers[0].append(params[0])
                answers[1].append(row.item_id)
                answers[2].append(row.value_num)
                answers[3].append(row.value_text)
        try:
            cur = conn.execute(self._pg_batch, (*columns, *answers))
            stored = {row[0] for row in cur.fetchall()}
            cur.close()
        except self.errors.OperationalError:
            raise  # the server or the connection, not a job: a lost connection is retried by _attempt
        except self.errors.Error as exc:
            raise _JobFault(exc) from exc
        # Committed (autocommit, or the claim's transaction): a uuid that inserted nothing is on a
        # row another request stored.
        return [None if params[0] in stored else self._known_hash(conn, params[0]) for params, _rows, _claim in batch]

    def _insert_sqlite(self, conn: Any, batch: list[Work]) -> list[str | InviteTaken | None]:
        conn.execute("BEGIN IMMEDIATE")  # the caller holds the writer queue
        try:
            results: list[str | InviteTaken | None] = []
            for params, rows, claim in batch:
                try:
                    result = self._insert_one_sqlite(conn, params, rows)
                    if result is None and claim is not None and self._claim(conn, claim) != 1:
                        conn.execute("ROLLBACK")  # alone in its transaction (see _write)
                        return [InviteTaken()]
                    results.append(result)
                except self.errors.Error as exc:
                    raise _JobFault(exc) from exc
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return results

    def _insert_one_sqlite(self, conn: Any, params: list[Any], rows: list[AnswerRow]) -> str | None:
        cur = conn.execute(_SQLITE_SUBMISSION, params)
        if cur.rowcount == 0:  # a known uuid: its row, committed or from this batch, is visible here
            return self._known_hash(conn, params[0])
        if rows:
            # One multi-row INSERT: per-row statements were the largest cost in the profile.
            values = ", ".join([_SQLITE_ANSWER_ROW] * len(rows))
            flat = [v for row in rows for v in (cur.lastrowid, *row)]
            conn.execute(f"INSERT INTO answer ({ANSWER_COLUMNS}) VALUES {values}", flat)
        return None

    def _claim(self, conn: Any, claim: Any) -> int:
        """Run the invitation's conditional UPDATE: 1 when claimed, 0 when another submission has it."""
        try:
            cur = conn.execute(self._claim_sql, claim)
        except self.errors.OperationalError:
            raise
        except self.errors.Error as exc:
            raise _JobFault(exc) from exc
        count = cur.rowcount
        cur.close()
        return count

    def _known_hash(self, conn: Any, uuid_param: Any) -> str:
        existing = self._existing_hash(conn, uuid_param)
        if existing is None:  # only if the row was deleted in between (a campaign's data purged)
            raise self.errors.OperationalError(Errors.E705)
        return existing

    def _existing_hash(self, conn: Any, uuid_param: Any) -> str | None:
        cur = conn.execute(_EXISTING_HASH[self.dialect.paramstyle], (uuid_param,))
        row = cur.fetchone()
        cur.close()
        return None if row is None else row[0]


_writers: weakref.WeakKeyDictionary[Engine, DirectWriter] = weakref.WeakKeyDictionary()
_writers_guard = threading.Lock()


def writer_for(engine: Engine, lookup: Select) -> DirectWriter:
    """The engine's writer, made on first use (one per engine: per app, per gunicorn worker).

    ``lookup`` is the write path's target query; it is compiled once, with the first writer.
    """
    writer = _writers.get(engine)
    if writer is None and engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        # Its own connection would be another, empty, in-memory database.
        raise RuntimeError(Errors.E702)
    if writer is None:
        with _writers_guard:
            writer = _writers.get(engine)
            if writer is None:
                writer = _writers[engine] = DirectWriter(engine, lookup)
                event.listen(engine, "engine_disposed", writer.close)
    return writer
