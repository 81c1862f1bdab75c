"""An acknowledged submission survives a power cut: every connection that acknowledges writes commits durably."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import func, select

from cips.extensions import make_engine
from cips.models import Answer, QuarantinedSubmission, Submission
from cips.submissions import direct
from cips.submissions.service import _TARGET
from tests.helpers import payload

URL = "/api/v1/submissions"
SQLITE_FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


def _durable(engine, dbapi_conn) -> bool:
    cur = dbapi_conn.cursor()
    if engine.dialect.name == "sqlite":
        cur.execute("PRAGMA synchronous")
        ok = cur.fetchone()[0] >= SQLITE_FULL
    else:
        cur.execute("SHOW synchronous_commit")
        ok = cur.fetchone()[0] != "off"
    cur.close()
    return ok


def test_the_connections_that_acknowledge_submissions_commit_durably(loaded, client, session) -> None:
    assert client.post(URL, json=payload()).status_code == 201
    engine = loaded.extensions["cips_engine"]
    [ingest_conn] = direct.writer_for(engine, _TARGET)._idle  # the connection that stored it
    assert _durable(engine, ingest_conn)
    orm_conn = session.connection().connection.driver_connection  # quarantine, invitations, manager writes
    assert _durable(engine, orm_conn)


def test_a_postgresql_database_configured_without_synchronous_commit_is_overridden(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("synchronous_commit is PostgreSQL's setting")
    name = make_url(database_url).database
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # a server whose administrator traded durability for speed
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        plain = psycopg.connect(make_url(database_url).set(drivername="postgresql").render_as_string(False))
        assert plain.execute("SHOW synchronous_commit").fetchone()[0] == "off"  # what a plain session gets
        plain.close()
        engine = make_engine(database_url)
        with engine.connect() as conn:
            assert conn.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
            conn.rollback()
            assert conn.execute(text("SHOW synchronous_commit")).scalar_one() == "on"  # not undone by a rollback
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" RESET synchronous_commit'))
        admin.dispose()


def test_a_full_disk_answers_503_and_acknowledges_nothing(loaded, client, session) -> None:
    engine = loaded.extensions["cips_engine"]
    if engine.dialect.name != "sqlite":
        pytest.skip("a full disk is simulated with SQLite's max_page_count")
    assert client.post(URL, json=payload()).status_code == 201
    answers = session.exec(select(func.count()).select_from(Answer)).one()
    [conn] = direct.writer_for(engine, _TARGET)._idle
    conn.execute("VACUUM")  # no free page left inside the file: the next row needs a new one
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    assert conn.execute(f"PRAGMA max_page_count = {pages}").fetchone()[0] == pages  # the disk is now full
    body = payload()
    for item in ("open_works", "open_change_first", "open_other"):  # more than a page's free space
        body["answers"][item] = "x" * 3000
    resp = client.post(URL, json=body)
    assert resp.status_code == 503 and "retry later" in resp.get_json()["error"]  # the device keeps the record
    assert session.exec(select(func.count()).select_from(Submission)).one() == 1
    assert session.exec(select(func.count()).select_from(Answer)).one() == answers  # the first's only
    assert session.exec(select(func.count()).select_from(QuarantinedSubmission)).one() == 0  # not refused: retried
    conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
    assert client.post(URL, json=body).status_code == 201  # the device's retry lands, once
    assert session.exec(select(func.count()).select_from(Submission)).one() == 2
