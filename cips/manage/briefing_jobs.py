"""Briefings built in the background: the upload is stored, the page follows the job, the file is offered.

Reading a contributions file and building its briefing (classifier, theme model) takes
seconds to minutes, so it never runs inside the request (``cips.manage.jobs``, as the
report). The request checks what costs nothing (sizes, form fields), stores the upload in
``instance/briefing_jobs/<job id>/`` (folder 0700, files 0600: answers may be sensitive)
and redirects to the job's page, which refreshes itself until the file is ready or the
job failed with a message naming the file and line; while answers are embedded it shows
how many of them are done (``progress.json``, written by the job's ``on_progress``). The
upload itself is deleted as soon as the job ends; a job's folder is removed a day after it was made. A job id is random
and tied to the manager who made it: another account gets 404.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from analysis.briefing.inputs import ENCODINGS, UTF16_HINT, NotUtf8Error
from analysis.files import private_dir, private_open, write_private
from cips.manage import jobs
from cips.models import Briefing
from cips.services.briefings import MIMETYPES, BriefingError, briefing_from_upload
from cips.services.messages import N_, Message

#: How long a finished briefing stays downloadable.
KEEP_SECONDS = 24 * 3600
_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


@dataclass(frozen=True)
class BriefingJob:
    id: str
    folder: Path
    params: dict[str, object]

    @property
    def result(self) -> Path:
        return self.folder / f"briefing.{self.params['format']}"

    @property
    def mimetype(self) -> str:
        return MIMETYPES[str(self.params["format"])]

    @property
    def download_name(self) -> str:
        return str(self.params["download_name"])

    def state(self) -> str:
        """``done``, ``failed`` or ``running`` (a job whose worker died counts as failed)."""
        if self.result.exists():
            return "done"
        if jobs.failure(self.result) is not None or not jobs.running(self.result):
            return "failed"
        return "running"

    def error(self) -> Message | str:
        return jobs.failure(self.result) or N_("the briefing was interrupted; upload the file again")

    def progress(self) -> tuple[int, int] | None:
        """``(answers embedded, answers to embed)`` so far, or None before any embedding started."""
        try:
            done, total = json.loads((self.folder / "progress.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError, TypeError):  # not started yet (or a file being replaced)
            return None
        return int(done), int(total)

    def on_progress(self, done: int, total: int) -> None:
        """Record the embedding's progress for the job's page; the lock stays fresh while the job works."""
        tmp = self.folder / "progress.json.tmp"
        write_private(tmp, json.dumps([done, total]))
        tmp.replace(self.folder / "progress.json")  # a reader never sees half a file
        jobs.keep_alive(self.result)


def _root() -> Path:
    return private_dir(current_app.config["BRIEFING_JOBS_DIR"] or Path(current_app.instance_path) / "briefing_jobs")


def _write(path: Path, data: bytes) -> None:
    with private_open(path, "xb") as out:  # a new file of a new job folder, never overwritten
        out.write(data)


def _sweep(root: Path) -> None:
    """Remove the folders of jobs older than :data:`KEEP_SECONDS`."""
    now = time.time()
    for folder in root.iterdir():
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > KEEP_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            continue


def start_briefing(owner: int, filename: str, data: bytes, *, questions: bytes | None, questions_filename: str,
                   lang: str, title: str, meeting: str | None, fmt: str, encoding: str | None) -> str:  # fmt: skip
    """Store the upload and start building its briefing; returns the job id."""
    from cips.services.briefings import download_name

    root = _root()
    _sweep(root)
    job_id = secrets.token_urlsafe(18)
    folder = root / job_id
    folder.mkdir(mode=0o700)
    params = {"owner": owner, "filename": filename, "questions_filename": questions_filename, "lang": lang,
              "title": title, "meeting": meeting, "format": fmt, "encoding": encoding,
              "download_name": download_name(title, fmt)}  # fmt: skip
    _write(folder / "params.json", json.dumps(params).encode())
    _write(folder / "contributions", data)
    if questions is not None:
        _write(folder / "questions", questions)
    job = BriefingJob(job_id, folder, params)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    jobs.start(app, job.result, lambda: _build(job), name=f"briefing-{job_id[:8]}")
    return job_id


def start_saved_briefing(owner: int, briefing: Briefing, fmt: str) -> str:
    """Start building a saved briefing from its contributions and current decisions; returns the job id.

    The job reads the database, not an upload: its folder holds only its parameters and the result.
    """
    from cips.services.briefings import download_name

    root = _root()
    _sweep(root)
    job_id = secrets.token_urlsafe(18)
    folder = root / job_id
    folder.mkdir(mode=0o700)
    params = {"owner": owner, "briefing_id": briefing.id, "filename": briefing.filename, "lang": briefing.lang,
              "title": briefing.title, "format": fmt, "download_name": download_name(briefing.title, fmt)}  # fmt: skip
    _write(folder / "params.json", json.dumps(params).encode())
    job = BriefingJob(job_id, folder, params)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    jobs.start(app, job.result, lambda: _build_saved(job, int(briefing.id), fmt), name=f"briefing-{job_id[:8]}")  # type: ignore[arg-type]
    return job_id


def _build_saved(job: BriefingJob, briefing_id: int, fmt: str) -> bytes:
    from cips.extensions import db
    from cips.services.saved_briefings import build_saved

    briefing = db.session.get(Briefing, briefing_id)
    if briefing is None:  # deleted with its administration meanwhile
        raise BriefingError(N_("the briefing was interrupted; upload the file again"))
    return build_saved(db.session, briefing, fmt, on_progress=job.on_progress)[0]  # type: ignore[arg-type]


def find_briefing(job_id: str, owner: int) -> BriefingJob | None:
    """The job ``job_id`` if ``owner`` made it (None for an unknown id or another account's job)."""
    if not job_id or not set(job_id) <= _ID_CHARS:
        return None
    folder = _root() / job_id
    try:
        params = json.loads((folder / "params.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
    return BriefingJob(job_id, folder, params) if params.get("owner") == owner else None


def _build(job: BriefingJob) -> bytes:
    p = job.params
    upload, questions = job.folder / "contributions", job.folder / "questions"
    try:
        body, _, _ = briefing_from_upload(
            str(p["filename"]), upload.read_bytes(), lang=str(p["lang"]), title=str(p["title"]),
            meeting=str(p["meeting"] or "") or None, fmt=str(p["format"]),  # type: ignore[arg-type]
            questions_yaml=questions.read_bytes() if questions.exists() else None,
            encoding=str(p["encoding"] or "") or None, questions_filename=str(p["questions_filename"]),
            on_progress=job.on_progress,
        )  # fmt: skip
    except BriefingError as exc:
        if isinstance(exc.__cause__, NotUtf8Error):
            raise BriefingError(encoding_message(exc.__cause__)) from exc
        raise
    except RecursionError as exc:  # a structure nested too deeply for a reader that did not expect it
        raise BriefingError(N_("%(file)s: nested too deeply to be read", file=str(p["filename"]))) from exc
    finally:  # the answers are not kept once the job has read them
        upload.unlink(missing_ok=True)
        questions.unlink(missing_ok=True)
    return body


def encoding_message(error: NotUtf8Error) -> Message:
    """The not-UTF-8 message for the web: it names the form's field, not the command line's option."""
    hint = N_("it looks like UTF-16 without a byte-order mark") if error.hint == UTF16_HINT else N_(
        "perhaps Windows-1252/Latin-1")  # fmt: skip
    return N_("%(where)s: not UTF-8 text (%(hint)s); save the file as UTF-8 (Excel: “CSV UTF-8”) or choose its "
              "encoding in “%(field)s” (for example %(example)s) and build again.", where=f"{error.name}:{error.line}",
              hint=hint, field=N_("Encoding of the file"), example=ENCODINGS[error.encoding])  # fmt: skip
