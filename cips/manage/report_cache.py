"""Thematic reports for the manager pages: rendered once per campaign state, in the background.

A large campaign's report takes tens of seconds (scores, themes, charts). Rendering it in
the request would hold a gunicorn worker (one of two) that long, so a missing rendering is
started in a background thread and the page says it is being prepared and refreshes itself.
Renderings are kept in ``instance/report_cache`` keyed by the campaign's data, settings and
the report code: the next manager gets it at once, and new answers make a fresh one. A lock
file created with ``O_EXCL`` stops two workers from rendering the same report.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from functools import cache
from pathlib import Path

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from cips.extensions import db
from cips.models import Campaign, Submission
from cips.services.messages import N_

#: A lock older than this belongs to a worker that died mid-rendering.
STALE_LOCK_SECONDS = 15 * 60


class ReportPending(Exception):
    """The rendering is under way; ask again in a few seconds."""


@cache
def code_fingerprint() -> str:
    """Changes when the report's code or templates change: an upgrade must not serve old renderings."""
    import analysis

    root = Path(analysis.__file__).parent
    digest = hashlib.sha256()
    for path in sorted([*root.glob("*.py"), *(root / "report").rglob("*")]):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_path(campaign: Campaign, lang: str, kind: str, count: int, latest: object) -> Path:
    settings = json.dumps([campaign.name, campaign.wave, campaign.quotas, campaign.populations], sort_keys=True)
    parts = f"{code_fingerprint()}|{campaign.id}|{settings}|{lang}|{count}|{latest}"
    key = hashlib.sha256(parts.encode()).hexdigest()[:24]
    folder = Path(current_app.config.get("REPORT_CACHE_DIR") or Path(current_app.instance_path) / "report_cache")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{campaign.slug}-{lang}-{key}.{kind}"


def rendered(campaign: Campaign, lang: str, kind: str) -> bytes:
    """The report as ``kind`` (html or pdf); raises ReportPending while it is being made."""
    from cips.services.reports import ReportError

    if campaign.encrypted:
        raise ReportError(
            _(
                "The answers of this campaign are encrypted: only the key holder can build its report, "
                "with `cips decrypt %(slug)s --key FILE --report report.html`.",
                slug=campaign.slug,
            )
        )
    count, latest = db.session.execute(
        select(func.count(), func.max(Submission.received_at)).where(Submission.campaign_id == campaign.id)
    ).one()
    if not count:  # said now: a background thread could only write it to a log
        raise ReportError(N_("campaign %(slug)s has no submissions yet", slug=repr(campaign.slug)))
    path = cache_path(campaign, lang, kind, count, latest)
    if path.exists():
        return path.read_bytes()
    failed = Path(f"{path}.error")
    if failed.exists():  # the last attempt failed: say why once, then let the next request retry
        message = failed.read_text(encoding="utf-8")
        failed.unlink(missing_ok=True)
        raise ReportError(message)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("REPORT_RENDER_SYNC"):
        _render(app, campaign.slug, lang, kind, path)
        return path.read_bytes()
    _start(app, campaign.slug, lang, kind, path)
    raise ReportPending


def _start(app: Flask, slug: str, lang: str, kind: str, path: Path) -> None:
    lock = Path(f"{path}.lock")
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        try:
            stale = time.time() - lock.stat().st_mtime > STALE_LOCK_SECONDS
        except FileNotFoundError:
            stale = False  # just finished
        if stale:
            lock.unlink(missing_ok=True)  # the next request starts a fresh rendering
        return
    thread = threading.Thread(target=_render_and_unlock, args=(app, slug, lang, kind, path, lock),
                              name=f"report-{slug}-{lang}-{kind}", daemon=True)  # fmt: skip
    thread.start()


def _render(app: Flask, slug: str, lang: str, kind: str, path: Path) -> None:
    from analysis.report import render_html, render_pdf
    from cips.services.reports import campaign_report

    with app.app_context():  # its own database session, closed when the context ends
        report = campaign_report(db.session, slug, lang)
        data = render_pdf(report) if kind == "pdf" else render_html(report).encode("utf-8")
    tmp = Path(f"{path}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # atomic: a reader never sees half a file


def _render_and_unlock(app: Flask, slug: str, lang: str, kind: str, path: Path, lock: Path) -> None:
    try:
        _render(app, slug, lang, kind, path)
    except Exception as exc:  # kept for the manager's next request, and logged with its traceback
        app.logger.exception("report %s/%s/%s failed", slug, lang, kind)
        Path(f"{path}.error").write_text(str(exc) or type(exc).__name__, encoding="utf-8")
    finally:
        lock.unlink(missing_ok=True)
