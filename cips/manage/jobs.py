"""Work too long for a request, run once in a background thread; its result is a file.

The thematic report (``report_cache``) and the briefing (``briefing_jobs``) use it. A
gunicorn worker must not spend tens of seconds inside one request: it has a few threads
and a timeout. So the request starts the work and answers at once, and the page asks
again until the file is there. A job is named by the path of its result:

- ``path``: done (written whole, then renamed: a reader never sees half a file);
- ``path.error``: failed; the message as JSON, so that a service's ``N_`` message is shown
  in the reader's interface language, not the language of the thread that failed;
- ``path.lock``: running, created with ``O_EXCL`` so that two workers never run the same
  job; one older than :data:`STALE_LOCK_SECONDS` belongs to a worker that died.

``JOBS_SYNC`` (tests) runs the work inside the request instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from analysis.files import write_private
from cips.services.messages import Message

#: A lock older than this belongs to a worker that died mid-job.
STALE_LOCK_SECONDS = 15 * 60
#: Jobs of one process that run together; the others wait their turn. Each job is bounded in
#: size (a briefing's file limits, one campaign's report), not in number: ten uploads at once
#: would otherwise build ten models at once in one worker, starving the requests it serves.
JOBS_AT_ONCE = 2
_turns = threading.BoundedSemaphore(JOBS_AT_ONCE)


def _lock(path: Path) -> Path:
    return Path(f"{path}.lock")


def _error(path: Path) -> Path:
    return Path(f"{path}.error")


def running(path: Path) -> bool:
    """Whether the job of ``path`` is under way (its lock exists and is not stale)."""
    try:
        return time.time() - _lock(path).stat().st_mtime <= STALE_LOCK_SECONDS
    except FileNotFoundError:
        return False


def keep_alive(path: Path) -> None:
    """Called by a long job as it progresses: its lock stays fresh, so no other worker takes it for dead."""
    with contextlib.suppress(FileNotFoundError):  # a lock another worker removed: nothing to keep fresh
        os.utime(_lock(path))


def failure(path: Path, *, forget: bool = False) -> Message | str | None:
    """The message of the job's failure, if it failed; ``forget`` lets the next request try again."""
    failed = _error(path)
    try:
        stored = json.loads(failed.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if forget:
        failed.unlink(missing_ok=True)
    return _message(stored)


def start(app: Flask, path: Path, work: Callable[[], bytes], name: str) -> bool:
    """Run ``work`` (in an application context) to write ``path``, unless it runs already.

    Returns whether this call started it. A stale lock is removed, so the next call starts afresh.
    """
    lock = _lock(path)
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        if not running(path):
            lock.unlink(missing_ok=True)
        return False
    _error(path).unlink(missing_ok=True)
    if app.config["JOBS_SYNC"]:
        _run(app, path, work, lock, name)
    else:
        threading.Thread(target=_run, args=(app, path, work, lock, name), name=name, daemon=True).start()
    return True


def _run(app: Flask, path: Path, work: Callable[[], bytes], lock: Path, name: str) -> None:
    try:
        while not _turns.acquire(timeout=STALE_LOCK_SECONDS / 3):
            lock.touch()  # waiting its turn, not dead: the lock stays fresh (see running)
        try:
            with app.app_context():  # its own database session, closed when the context ends
                data = work()
        finally:
            _turns.release()
        tmp = Path(f"{path}.{os.getpid()}.{threading.get_ident()}.tmp")
        write_private(tmp, data)  # reports and briefings quote answers
        tmp.chmod(0o600)
        tmp.replace(path)
    except Exception as exc:  # kept for the next request, and logged
        if isinstance(exc, ValueError):  # the services' refusals of bad input: their message says it all
            app.logger.warning("job %s refused: %s", name, exc)
        else:
            app.logger.exception("job %s failed", name)
        message = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
        write_private(_error(path), json.dumps(_stored(message or type(exc).__name__)))
    finally:
        lock.unlink(missing_ok=True)


def _stored(message: Any) -> Any:
    """A message as JSON: a :class:`Message` keeps its msgid and parameters (translated when read)."""
    if isinstance(message, Message):
        return {"msgid": message.msgid, "params": {k: _stored(v) for k, v in message.params.items()}}
    return message if isinstance(message, str | int | float | bool) or message is None else str(message)


def _message(stored: Any) -> Any:
    if isinstance(stored, dict) and "msgid" in stored:
        return Message(stored["msgid"], **{k: _message(v) for k, v in stored.get("params", {}).items()})
    return stored
