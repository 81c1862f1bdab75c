"""Group commit: the submissions that arrive while a commit is in flight share the next one.

A durable commit waits for the disk (an fsync of SQLite's WAL, PostgreSQL's WAL flush:
about 4 ms on this project's machine, more than all the rest of a submission's work).
One commit per submission caps a server at a few hundred submissions a second, however
many cores it has. So the threads of one process (gunicorn's ``gthread`` workers) hand
their submissions to a queue; one of them, the **leader**, writes everything queued in
one transaction and commits once, then wakes each submitter with its own outcome. No
thread waits for a timer: a submission that finds no commit in flight is written at
once, alone, and the queue fills only while the disk is busy, which is exactly when
batching pays. With one thread per process (gunicorn's sync workers, the CLI) every
batch holds one submission and nothing changes.

Each submitter is answered only after the commit that holds its rows returned, so a
crash before (or during) that commit acknowledges nothing: the device keeps its record
and sends it again. How a failure inside a batch is kept to the submission that caused
it is the writer's part (:meth:`cips.submissions.direct.DirectWriter.insert`).

No thread is started here: the leader is a request thread, which hands the role to the
next waiting submitter when it is done, so nothing outlives a request or a fork.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cips.submissions.errors import Errors

try:
    import fcntl
except ImportError:  # not POSIX: threads of one process still queue; processes fall back on the busy timeout
    fcntl = None  # type: ignore[assignment]

#: The most submissions one transaction takes; the rest wait for the next commit. Bounds
#: a transaction's size (and the time a SQLite write lock is held) whatever the load.
MAX_BATCH = 64


class Job:
    """One submission waiting for a commit: its input, then its outcome (a result or an error)."""

    __slots__ = ("_lead", "_wake", "error", "result", "settled", "work")

    def __init__(self, work: Any) -> None:
        self.work = work
        self.result: Any = None
        self.error: BaseException | None = None
        self.settled = False
        self._wake = threading.Event()
        self._lead = False

    def done(self, result: Any = None) -> None:
        self.result, self.settled = result, True

    def failed(self, error: BaseException) -> None:
        self.error, self.settled = error, True


#: ``commit(take)``: ``take()`` returns the jobs of this batch (call it once, when ready to
#: write: the later, the more it holds); settle each with ``done`` or ``failed``.
Committer = Callable[[Callable[[], list[Job]]], None]


class GroupCommit:
    """A per-process queue of jobs, written by whichever submitter leads (see the module's doc)."""

    def __init__(self, commit: Committer, max_batch: int = MAX_BATCH) -> None:
        self._commit = commit
        self.max_batch = max_batch
        self._guard = threading.Lock()
        self._waiting: list[Job] = []
        self._leading = False  # invariant: False only when nothing waits
        self._pid = os.getpid()

    def submit(self, work: Any) -> Any:
        """Queue ``work``, wait for the commit that holds it, and return its result (or raise its error)."""
        job = Job(work)
        with self._guard:
            if self._pid != os.getpid():  # forked: the parent's queue and leader are not this process's
                self._waiting, self._leading, self._pid = [], False, os.getpid()
            self._waiting.append(job)
            lead = not self._leading
            self._leading = True
        if not lead:
            job._wake.wait()  # set by a leader: either our outcome is in, or we lead now
            lead = job._lead
        if lead:
            self._lead_one_batch()
        if job.error is not None:
            raise job.error
        return job.result

    def _take(self) -> list[Job]:
        with self._guard:
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
        return batch

    def _lead_one_batch(self) -> None:
        batch: list[Job] = []

        def take() -> list[Job]:
            if not batch:
                batch.extend(self._take())
            return batch

        error: BaseException | None = None
        try:
            self._commit(take)
        except Exception as exc:  # the committer's own failure: every job it had not settled fails with it
            error = exc
        finally:
            for job in take():  # a committer that failed before taking still owes this leader's job an answer
                if not job.settled:
                    job.failed(error or RuntimeError(Errors.E704))
            with self._guard:
                if self._waiting:  # hand over: the first of the next batch leads it
                    self._waiting[0]._lead = True
                    self._waiting[0]._wake.set()
                else:
                    self._leading = False
            for job in batch:
                job._wake.set()


# SQLite takes one writer at a time: the leaders of every process queue here, and a leader takes
# its batch once it holds the queue, so what arrived while another process was writing joins it.
_queue_locks: dict[str, tuple[int, threading.Lock, int | None]] = {}
_queue_guard = threading.Lock()


@contextmanager
def sqlite_writer_queue(path: str | None) -> Iterator[None]:
    """Queue ingest writers of one SQLite file: in this process (thread lock), then across processes (flock)."""
    if not path or path == ":memory:":
        yield
        return
    with _queue_guard:
        entry = _queue_locks.get(path)
        if entry is None or entry[0] != os.getpid():  # a forked worker opens its own file description
            fd = os.open(f"{path}.ingest-lock", os.O_RDWR | os.O_CREAT, 0o600) if fcntl else None
            entry = _queue_locks[path] = (os.getpid(), threading.Lock(), fd)
    _pid, lock, fd = entry
    with lock:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
