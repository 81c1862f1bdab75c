"""The app as ``bench/ingest.py`` serves it to compare write paths in one run (never shipped).

``gunicorn 'bench._variants:create_app("single")'``:

* ``durable``: the app as shipped (durable commits, group commit);
* ``single``: durable commits, one commit per submission (group commit off: concurrent
  submissions commit side by side, as before it);
* ``normal``: one commit per submission that does not wait for the disk, as before durable
  commits (SQLite ``synchronous=NORMAL``, PostgreSQL ``synchronous_commit=off``): what an
  acknowledgement cost when a power cut could undo it.

The production code has no switch for either: the bench changes the app's engine here.
(The leading underscore keeps ``make bench`` from running this file as a benchmark.)
"""

from __future__ import annotations

import atexit
import sys
from typing import Any

from flask import Flask
from sqlalchemy import event

import cips
from cips.submissions import direct
from cips.submissions.group_commit import Job
from cips.submissions.service import _TARGET

VARIANTS = ("durable", "single", "normal")
#: What a worker of the durable variant prints on exit (read by bench/ingest.py): its commits and
#: the submissions they held.
STATS_PREFIX = "BENCH_GROUP_COMMIT"


def _count_batches(writer: direct.DirectWriter) -> None:
    commit, totals = writer.group._commit, [0, 0]

    def counted(take: Any) -> None:
        def counting_take() -> list[Job]:
            jobs = take()
            totals[0], totals[1] = totals[0] + 1, totals[1] + len(jobs)
            return jobs

        commit(counting_take)

    writer.group._commit = counted  # type: ignore[method-assign]
    atexit.register(lambda: print(f"{STATS_PREFIX} {totals[0]} {totals[1]}", file=sys.stderr, flush=True))


def create_app(variant: str = "durable") -> Flask:
    if variant not in VARIANTS:
        raise SystemExit(f"unknown variant {variant!r}: one of {', '.join(VARIANTS)}")
    app = cips.create_app()
    engine = app.extensions["cips_engine"]
    if variant == "durable":
        _count_batches(direct.writer_for(engine, _TARGET))
    if variant in ("single", "normal"):  # each submission its own transaction, concurrently, as before
        writer = direct.writer_for(engine, _TARGET)

        def alone(work: Any) -> Any:
            job = Job(work)
            writer._commit(lambda: [job])
            if job.error is not None:
                raise job.error
            return job.result

        writer.group.submit = alone  # type: ignore[method-assign]
    if variant == "normal":
        sqlite = engine.dialect.name == "sqlite"

        @event.listens_for(engine, "connect")  # after the app's own listener, which made commits durable
        def _undurable(dbapi_conn: Any, _record: Any) -> None:
            autocommit = None if sqlite else dbapi_conn.autocommit
            if not sqlite:
                dbapi_conn.autocommit = True
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA synchronous=NORMAL" if sqlite else "SET synchronous_commit TO off")
            cur.close()
            if not sqlite:
                dbapi_conn.autocommit = autocommit

    return app
