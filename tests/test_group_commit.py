"""Group commit: concurrent submissions share one durable commit, each answered with its own outcome."""

from __future__ import annotations

import threading
import uuid as uuid_lib
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from cips.models import Answer, Submission, SubmissionStatus, utcnow
from cips.submissions import direct
from cips.submissions.group_commit import GroupCommit
from cips.submissions.payload import AnswerRow
from cips.submissions.service import _TARGET
from tests.helpers import OFFICIALS_VERSION, payload

URL = "/api/v1/submissions"


def writer(app) -> direct.DirectWriter:
    return direct.writer_for(app.extensions["cips_engine"], _TARGET)


class HeldCommits:
    """Holds the first leader before it takes its batch, so that what arrives meanwhile queues behind it."""

    def __init__(self, w: direct.DirectWriter, monkeypatch: pytest.MonkeyPatch) -> None:
        self.release = threading.Event()
        self.leading = threading.Event()
        self.batches: list[int] = []
        commit, self.group = w.group._commit, w.group

        def held(take):
            self.leading.set()
            self.release.wait(30)
            return commit(take)

        monkeypatch.setattr(w.group, "_commit", held)
        for name in ("_insert_sqlite", "_insert_postgresql"):
            original = getattr(w, name)

            def recording(conn, batch, original=original):
                self.batches.append(len(batch))
                return original(conn, batch)

            monkeypatch.setattr(w, name, recording)

    def queued(self) -> int:
        with self.group._guard:
            return len(self.group._waiting)

    def wait_queued(self, n: int) -> None:
        for _ in range(3000):
            if self.queued() >= n:
                return
            threading.Event().wait(0.01)
        raise AssertionError(f"{n} submissions never queued ({self.queued()})")


def test_concurrent_submissions_share_one_commit_and_each_gets_its_answer(loaded, session, monkeypatch) -> None:
    held = HeldCommits(writer(loaded), monkeypatch)
    bodies = [payload() for _ in range(6)]
    bodies.append(dict(bodies[0]))  # the first one's retry, in the same batch: stored once, acknowledged twice

    def post(body):
        return loaded.test_client().post(URL, json=body)

    with ThreadPoolExecutor(len(bodies)) as pool:
        first = pool.submit(post, bodies[0])
        assert held.leading.wait(30)  # the first leads; its commit has not started
        rest = [pool.submit(post, body) for body in bodies[1:]]
        held.wait_queued(len(bodies))  # every other submission waits for a commit
        assert not first.done() and not any(f.done() for f in rest)  # nobody is answered before the commit
        held.release.set()
        responses = [first.result(), *(f.result() for f in rest)]
    assert sorted(r.status_code for r in responses) == [200] + [201] * 6
    assert all(r.get_json() == {"uuid": b["uuid"], "status": "stored"} for r, b in zip(responses, bodies, strict=True))
    assert held.batches[0] == 6  # one transaction for six submissions; the duplicate uuid in the next one
    assert held.batches[1:] == [1]
    assert session.exec(select(func.count()).select_from(Submission)).one() == 6


def _values(app, uuid: uuid_lib.UUID, digest: str, campaign_id: int | None = None) -> dict:
    target = writer(app).lookup({"slug": "test", "key": "officials", "version": OFFICIALS_VERSION})
    row = next(r for r in target if r[3] is not None)
    now = utcnow()
    return {"uuid": uuid, "campaign_id": campaign_id or row[0], "instrument_id": row[3], "device_id": "t",
            "language": "fr", "started_at": now, "submitted_at": now, "received_at": now,
            "status": SubmissionStatus.stored, "payload_hash": digest}  # fmt: skip


def test_a_failing_submission_in_a_batch_fails_alone(loaded, session, monkeypatch) -> None:
    """One job breaks a constraint (its campaign vanished), others are a retry and a uuid conflict."""
    w = writer(loaded)
    rows = [AnswerRow("lead_1", 4.0, None), AnswerRow("bg_region", None, "north")]
    known = uuid_lib.uuid4()
    assert w.insert(_values(loaded, known, "a" * 64), rows) is None  # stored before the batch
    held = HeldCommits(w, monkeypatch)
    fresh = [uuid_lib.uuid4() for _ in range(3)]
    jobs = [
        _values(loaded, fresh[0], "b" * 64),
        _values(loaded, uuid_lib.uuid4(), "c" * 64, campaign_id=999_999),  # no such campaign: a foreign key fails
        _values(loaded, known, "a" * 64),  # a retry of a stored record
        _values(loaded, fresh[1], "d" * 64),
        _values(loaded, known, "e" * 64),  # the same uuid, other answers: a conflict
        _values(loaded, fresh[2], "f" * 64),
    ]
    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = [pool.submit(w.insert, jobs[0], rows)]
        assert held.leading.wait(30)
        futures += [pool.submit(w.insert, values, rows) for values in jobs[1:]]
        held.wait_queued(len(jobs))
        held.release.set()
        outcomes = []
        for future in futures:
            try:
                outcomes.append(future.result())
            except IntegrityError as exc:
                outcomes.append(type(exc).__name__)
    assert outcomes == [None, "IntegrityError", "a" * 64, None, "a" * 64, None]
    # Tried together (the second of the two ``known`` goes in a later transaction), failed on one
    # job, then each written alone; then the later one.
    assert held.batches == [5, 1, 1, 1, 1, 1, 1]
    stored = set(session.exec(select(Submission.uuid)).all())
    assert stored == {known, *fresh}
    assert session.exec(select(func.count()).select_from(Answer)).one() == 2 * 4  # no answer of the failed job


def test_a_failure_no_submission_caused_fails_the_whole_batch_and_acknowledges_nothing(
    loaded, session, monkeypatch
) -> None:
    w = writer(loaded)
    held = HeldCommits(w, monkeypatch)
    bodies = [payload() for _ in range(4)]
    dialect_insert = "_insert_sqlite" if w.dialect.name == "sqlite" else "_insert_postgresql"
    inner = getattr(w, dialect_insert)

    def commit_fails(conn, batch):  # e.g. the disk fills up during the commit, or the server goes away
        if len(batch) > 1:
            raise w.errors.OperationalError("disk I/O error")
        return inner(conn, batch)

    monkeypatch.setattr(w, dialect_insert, commit_fails)
    with ThreadPoolExecutor(len(bodies)) as pool:
        futures = [pool.submit(loaded.test_client().post, URL, json=bodies[0])]
        assert held.leading.wait(30)
        futures += [pool.submit(loaded.test_client().post, URL, json=b) for b in bodies[1:]]
        held.wait_queued(len(bodies))
        held.release.set()
        statuses = [f.result().status_code for f in futures]
    assert statuses == [503] * 4  # every device keeps its record
    assert session.exec(select(func.count()).select_from(Submission)).one() == 0
    client = loaded.test_client()
    assert [client.post(URL, json=b).status_code for b in bodies] == [201] * 4  # the retries land once


def test_group_commit_hands_the_lead_on_and_settles_every_job_when_the_committer_fails() -> None:
    calls: list[list[int]] = []
    gate = threading.Event()

    def commit(take):
        if not calls:
            calls.append([job.work for job in take()])
            gate.wait(10)  # the first commit is in flight while the others arrive
            raise RuntimeError("boom")
        batch = take()
        calls.append([job.work for job in batch])
        for job in batch:
            job.done(job.work * 10)

    group = GroupCommit(commit)
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(group.submit, 1)
        for _ in range(1000):
            if calls:
                break
            threading.Event().wait(0.01)
        others = [pool.submit(group.submit, n) for n in (2, 3, 4)]
        for _ in range(1000):
            if len(group._waiting) == 3:
                break
            threading.Event().wait(0.01)
        gate.set()
        with pytest.raises(RuntimeError, match="boom"):
            first.result()
        assert sorted(f.result() for f in others) == [20, 30, 40]
    assert calls == [[1], [2, 3, 4]]  # the second leader took everything that had queued
    assert group._leading is False and group._waiting == []
