"""cips.submissions.direct: the ingest path's own connections, outside the ORM session."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlmodel import select

from cips.models import Answer, Submission, SubmissionStatus
from cips.submissions import direct
from cips.submissions.service import _TARGET
from tests.helpers import payload

URL = "/api/v1/submissions"


def writer(app) -> direct.DirectWriter:
    return direct.writer_for(app.extensions["cips_engine"], _TARGET)


def test_direct_rows_read_back_through_the_orm_as_sent(loaded, client, session) -> None:
    body = payload(device_id=None)
    assert client.post(URL, json=body).status_code == 201
    sub = session.exec(select(Submission)).one()
    assert str(sub.uuid) == body["uuid"] and sub.device_id is None and sub.status is SubmissionStatus.stored
    assert sub.submitted_at == datetime.fromisoformat(body["submitted_at"])
    assert sub.started_at == datetime.fromisoformat(body["started_at"])
    assert sub.received_at.tzinfo is not None and sub.received_at >= sub.submitted_at
    stored = {a.item_id: (a.value_num, a.value_text) for a in session.exec(select(Answer))}
    assert stored["lead_1"] == (float(body["answers"]["lead_1"]), None)
    assert stored["bg_region"] == (None, "north")


def test_direct_connection_is_reused_and_survives_a_refused_insert(loaded, client) -> None:
    first = payload()
    assert client.post(URL, json=first).status_code == 201
    assert len(writer(loaded)._idle) == 1
    changed = payload(uuid=first["uuid"], language="en")  # same uuid, other content: a conflict
    assert client.post(URL, json=changed).status_code == 409
    assert client.post(URL, json=first).status_code == 200  # a retry of the stored record
    assert client.post(URL, json=payload()).status_code == 201
    assert len(writer(loaded)._idle) == 1  # one connection served every request, none leaked


def test_direct_connections_close_when_the_engine_is_disposed(loaded, client) -> None:
    assert client.post(URL, json=payload()).status_code == 201
    [conn] = writer(loaded)._idle
    loaded.extensions["cips_engine"].dispose()
    assert writer(loaded)._idle == []
    with pytest.raises(Exception, match="closed"):
        conn.execute("SELECT 1")


def test_direct_connection_in_use_during_dispose_is_closed_on_return(loaded, client) -> None:
    engine = loaded.extensions["cips_engine"]
    w = writer(loaded)

    def dispose_midway(conn):
        engine.dispose()  # another thread disposing the engine while this request writes
        return conn

    conn = w._run(dispose_midway)
    assert w._idle == []
    with pytest.raises(Exception, match="closed"):
        conn.execute("SELECT 1")
    assert client.post(URL, json=payload()).status_code == 201  # the next request opens a new one
    assert len(w._idle) == 1


def _terminate(engine, held) -> None:
    with engine.connect() as admin:  # what a server restart does to every open connection
        for conn in held:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": conn.info.backend_pid})


def _hang_up(engine, held) -> None:
    # A restart seen by a socket that reports the hang-up before libpq reads the server's
    # goodbye: psycopg says "connection socket closed" and the connection still looks open.
    # Each socket becomes a pipe whose writer is gone (the descriptor stays the connection's own).
    for conn in held:
        read_end, write_end = os.pipe()
        os.close(write_end)
        os.dup2(read_end, conn.pgconn.socket)
        os.close(read_end)


@pytest.mark.parametrize("drop", [_terminate, _hang_up], ids=["terminated", "hung-up"])
def test_direct_writer_reconnects_when_the_database_drops_its_connections(loaded, client, drop) -> None:
    engine = loaded.extensions["cips_engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("a server that ends connections (restart, failover) is a PostgreSQL situation")
    w = writer(loaded)
    held = [w._checkout(fresh=True) for _ in range(3)]  # three idle connections, as after a busy moment
    for conn in held:
        w._checkin(conn)
    drop(engine, held)
    assert client.post(URL, json=payload()).status_code == 201
    assert all(conn.closed for conn in held) and len(w._idle) == 1
    with engine.connect() as check:
        assert check.execute(text("SELECT count(*) FROM submission")).scalar_one() == 1


def test_direct_locked_sqlite_answers_503_and_keeps_its_connection(loaded, client, session) -> None:
    engine = loaded.extensions["cips_engine"]
    if engine.dialect.name != "sqlite":
        pytest.skip("a writer holding the database file is a SQLite situation")
    assert client.post(URL, json=payload()).status_code == 201
    [conn] = writer(loaded)._idle
    conn.execute("PRAGMA busy_timeout = 100")  # the app waits 30 s; the test need not
    blocker = sqlite3.connect(engine.url.database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer (the CLI, a migration) holds the file
    try:
        body = payload()
        resp = client.post(URL, json=body)
        assert resp.status_code == 503 and "retry later" in resp.get_json()["error"]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert writer(loaded)._idle == [conn]  # a busy file is not a broken connection: kept, not reopened
    assert client.post(URL, json=body).status_code == 201  # the device's retry lands, once
    assert len(session.exec(select(Submission)).all()) == 2
