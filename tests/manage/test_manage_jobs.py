"""The background job runner (cips.manage.jobs): how many jobs of one process run at once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from flask import Flask

from cips.manage import jobs


def test_jobs_of_one_process_run_at_most_jobs_at_once_together(tmp_path: Path) -> None:
    """Each briefing is bounded in size, but a manager could start any number of them: without a bound
    on jobs running together, ten uploads ran ten model builds at once in one worker."""
    app = Flask(__name__)
    app.config["JOBS_SYNC"] = False  # a bare app: what cips.config.Config sets for every real one
    release, guard = threading.Event(), threading.Lock()
    running, peak = [0], [0]

    def work() -> bytes:
        with guard:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        release.wait(30)
        with guard:
            running[0] -= 1
        return b"done"

    paths = [tmp_path / f"job-{n}" for n in range(jobs.JOBS_AT_ONCE + 3)]
    assert all(jobs.start(app, path, work, name=path.name) for path in paths)
    deadline = time.monotonic() + 30
    while running[0] < jobs.JOBS_AT_ONCE and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(jobs.running(path) for path in paths)  # the queued ones too: not taken for dead
    release.set()
    while not all(path.exists() for path in paths) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(path.read_bytes() == b"done" for path in paths)
    assert peak[0] == jobs.JOBS_AT_ONCE
