"""End-to-end fixtures: the real app on a real port, driven by headless Chromium.

The server is the Flask app served by werkzeug in a thread on 127.0.0.1 (a free
port), on a temporary SQLite database prepared with the same commands an operator
runs (`cips db upgrade`, `cips instruments load`, `cips campaign create`). Every
request it receives is logged, so a test can prove that the browser worked
offline rather than trusting the emulation. Chromium is the system one
(``/usr/bin/chromium``, installed by apt in CI); ``playwright install`` is never
needed. Locally, without Chromium, the e2e tests are skipped with the reason; in
CI (``CI=true``) a missing browser is a failure, never a silent skip.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import threading
import time
import uuid as uuid_lib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func
from sqlmodel import Session, select
from werkzeug.serving import WSGIRequestHandler, make_server

from cips import create_app
from cips.models import Answer, Campaign, Submission

CHROMIUM = Path(os.environ.get("CIPS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
STATION_PIN = "2468"
#: Upper bound for any single wait on the browser or the server (tests wait for states, not times).
TIMEOUT_MS = 20_000


def missing_requirement() -> str | None:
    """Why the e2e tests cannot run here, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -r requirements.txt)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    return None


# Without playwright the test modules cannot even be imported: collect only
# test_environment.py, which skips (locally) or fails (CI) with the reason.
if importlib.util.find_spec("playwright") is None:
    collect_ignore_glob = ["test_[!e]*.py"]


def _unavailable(reason: str) -> None:
    """Skip locally; in CI (``CI=true``) the e2e tests must run, so fail instead."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"end-to-end tests must run in CI: {reason}")
    pytest.skip(reason)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:  # the request log below is what tests read
        pass


@dataclass
class RequestLog:
    """Every (method, path) the server received, in order; thread-safe."""

    entries: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, wsgi_app: Callable) -> Callable:
        def middleware(environ: dict, start_response: Callable):
            with self.lock:
                self.entries.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")))
            return wsgi_app(environ, start_response)

        return middleware

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()

    def snapshot(self) -> list[tuple[str, str]]:
        with self.lock:
            return list(self.entries)

    def clear_when_quiet(self, quiet_s: float = 1.0, timeout_s: float = TIMEOUT_MS / 1000) -> None:
        """Clear once no request has arrived for ``quiet_s``: a closed browser's last requests
        (e.g. its service worker's update check) can still be on their way to the server."""
        deadline = time.monotonic() + timeout_s
        seen, since = len(self.snapshot()), time.monotonic()
        while time.monotonic() - since < quiet_s and time.monotonic() < deadline:
            time.sleep(0.05)
            if (n := len(self.snapshot())) != seen:
                seen, since = n, time.monotonic()
        self.clear()


@dataclass
class LiveServer:
    url: str
    app: Flask
    log: RequestLog
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def cli(self, *args: str, input: str | None = None) -> str:
        result = self.app.test_cli_runner().invoke(args=list(args), input=input)
        assert result.exit_code == 0, result.output
        return result.output

    def campaign(self, mode: str = "online", *, pin: str | None = None, invite_only: bool = False,
                 instrument: str = "private_sector") -> str:  # fmt: skip
        """A fresh campaign per test: its own service worker scope and its own rows."""
        slug = f"e2e-{mode}-{next(self._ids)}"
        extra = ["--invite-only"] if invite_only else []
        # --new-administration: other e2e tests (saved briefings) may have made another administration first.
        self.cli("campaign", "create", slug, "--name", f"E2E {mode} survey", "--administration", "E2E Customs",
                 "--new-administration", "--mode", mode, "--instrument", instrument, "--languages", "en,fr,es,pt",
                 *extra)  # fmt: skip
        if pin:
            self.cli("campaign", "set-pin", slug, input=f"{pin}\n{pin}\n")
        return slug

    def submissions(self, slug: str) -> list[Submission]:
        with Session(self.app.extensions["cips_engine"]) as session:
            return list(
                session.exec(select(Submission).join(Campaign, Campaign.id == Submission.campaign_id).where(
                    Campaign.slug == slug))
            )  # fmt: skip

    def answers(self, uuid: str) -> dict[str, Any]:
        """Stored answers of one submission, as the API received them (Likert as int)."""
        with Session(self.app.extensions["cips_engine"]) as session:
            rows = session.exec(select(Answer).join(Submission).where(Submission.uuid == uuid_lib.UUID(uuid))).all()
        return {a.item_id: int(a.value_num) if a.value_num is not None else a.value_text for a in rows}

    def count(self, slug: str) -> int:
        with Session(self.app.extensions["cips_engine"]) as session:
            return session.exec(
                select(func.count()).select_from(Submission).join(Campaign, Campaign.id == Submission.campaign_id)
                .where(Campaign.slug == slug)
            ).one()  # fmt: skip

    def wait_for_count(self, slug: str, expected: int, timeout_s: float = TIMEOUT_MS / 1000) -> int:
        """Poll the database until ``expected`` rows are there (bounded); return the last count."""
        deadline = time.monotonic() + timeout_s
        while (n := self.count(slug)) != expected and time.monotonic() < deadline:
            time.sleep(0.1)
        return n


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db_file = tmp_path_factory.mktemp("e2e") / "cips.sqlite3"
    app = create_app({"DATABASE_URL": f"sqlite:///{db_file}", "SECRET_KEY": "e2e-secret", "FORMS_DIR": str(FORMS_DIR)})
    log = RequestLog()
    server = make_server("127.0.0.1", 0, log.wrap(app), threaded=True, request_handler=_QuietHandler)
    live = LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, log=log)
    live.cli("db", "upgrade")
    live.cli("instruments", "load")
    thread = threading.Thread(target=server.serve_forever, name="cips-e2e-server", daemon=True)
    thread.start()
    yield live
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["cips_engine"].dispose()


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Any]:
    reason = missing_requirement()
    if reason:
        _unavailable(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_session: Any) -> Iterator[Any]:
    browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh profile per test: its own IndexedDB, caches and service workers."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def persistent(playwright_session: Any, tmp_path: Path) -> Callable[..., Any]:
    """Open (and reopen: a browser restart) a Chromium profile kept on disk."""
    opened: list[Any] = []

    def launch(offline: bool = False) -> Any:
        ctx = playwright_session.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            offline=offline, viewport={"width": 1280, "height": 800},
        )  # fmt: skip
        ctx.set_default_timeout(TIMEOUT_MS)
        opened.append(ctx)
        return ctx

    yield launch
    for ctx in opened:
        with contextlib.suppress(Exception):  # already closed by the test (the "restart")
            ctx.close()
