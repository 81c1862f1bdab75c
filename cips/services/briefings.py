"""Ethics Sub-Committee briefing from an uploaded contributions file (web form and CLI share this).

Computation lives in ``analysis.briefing``; this module turns bytes into a document and
bad files into one error class with a message fit to show a manager.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Literal

from analysis.briefing import Briefing, BriefingInputError, build_briefing, read_contributions, read_questions
from analysis.briefing.i18n import LANGUAGES
from analysis.briefing.inputs import Contribution, Question
from analysis.briefing.limits import (
    MAX_ANSWER_CHARS,
    MAX_CONTRIBUTIONS,
    MAX_QUESTIONS,
    MAX_QUESTIONS_BYTES,
    MAX_UPLOAD_BYTES,
)
from analysis.briefing.render_docx import render_docx
from analysis.briefing.render_md import render_markdown
from cips.services.messages import N_, Message

MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}


class BriefingError(ValueError):
    """A file or option that cannot give a briefing; the message names the file and line when it can."""


def input_error(exc: BriefingInputError) -> BriefingError:
    """The reader's error as the services raise it: the same English text, translatable on the web page
    (the reader's messages are extracted by ``make translations``, keyword ``BriefingInputError``)."""
    return BriefingError(Message(exc.msgid, **exc.params) if exc.params else str(exc))


def download_name(title: str | None, fmt: str) -> str:
    """An ASCII file name from the title: "Briefing — 23e réunion" -> "briefing-23e-reunion.docx"."""
    ascii_title = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-").lower()[:60].strip("-")
    return f"{slug or 'briefing'}.{fmt}"


def limits_note() -> Message:
    """The limits of an upload, as the form states them (``analysis.briefing.limits``)."""
    return N_("At most %(size)s kB, %(answers)s answers, %(questions)s questions and %(chars)s characters per "
              "answer; a questions file of at most %(questions_size)s kB.", size=MAX_UPLOAD_BYTES // 1024,
              answers=MAX_CONTRIBUTIONS, questions=MAX_QUESTIONS, chars=MAX_ANSWER_CHARS,
              questions_size=MAX_QUESTIONS_BYTES // 1024)  # fmt: skip


def check_sizes(filename: str, size: int, questions_filename: str = "questions.yaml", questions_size: int = 0) -> None:
    """Refuse a file over its size limit before any of it is read (the request checks this itself)."""
    for name, got, limit in ((filename, size, MAX_UPLOAD_BYTES), (questions_filename, questions_size,
                                                                   MAX_QUESTIONS_BYTES)):  # fmt: skip
        if got > limit:
            raise BriefingError(N_("%(file)s: file too large (%(size)s kB; at most %(limit)s kB)", file=name,
                                   size=-(-got // 1024), limit=limit // 1024))  # fmt: skip


def read_upload(filename: str, data: bytes, *, lang: str, questions_yaml: bytes | None = None,
                encoding: str | None = None, questions_filename: str = "questions.yaml",
                ) -> tuple[list[Contribution], list[Question] | None]:  # fmt: skip
    """The contributions and questions of an upload, checked: language, sizes, then the files' own content."""
    if lang not in LANGUAGES:
        raise BriefingError(N_("unknown language %(lang)s (use %(languages)s)", lang=repr(lang),
                               languages=", ".join(LANGUAGES)))  # fmt: skip
    check_sizes(filename, len(data), questions_filename, len(questions_yaml) if questions_yaml else 0)
    try:
        contributions = read_contributions(data, filename, encoding=encoding)
        questions = read_questions(questions_yaml, questions_filename) if questions_yaml else None
    except BriefingInputError as exc:
        raise input_error(exc) from exc
    return contributions, questions


def load_briefing(filename: str, data: bytes, *, lang: str = "fr", title: str | None = None,
                  questions_yaml: bytes | None = None, meeting: str | None = None, encoding: str | None = None,
                  questions_filename: str = "questions.yaml", progress: bool = False,
                  on_progress: Callable[[int, int], None] | None = None) -> Briefing:  # fmt: skip
    """The structured briefing of an uploaded contributions file (see :func:`briefing_from_upload`).

    ``progress`` shows a bar on stderr while answers are embedded; ``on_progress(done, total)`` follows it.
    """
    contributions, questions = read_upload(filename, data, lang=lang, questions_yaml=questions_yaml,
                                           encoding=encoding, questions_filename=questions_filename)  # fmt: skip
    try:
        return build_briefing(contributions, lang=lang, title=title or None, meeting=meeting or None,
                              questions=questions, source_name=filename, progress=progress,
                              on_progress=on_progress)  # fmt: skip
    except BriefingInputError as exc:
        raise input_error(exc) from exc


def briefing_from_upload(filename: str, data: bytes, *, lang: str = "fr", title: str | None = None,
                         fmt: Literal["docx", "md"] = "docx", questions_yaml: bytes | None = None,
                         meeting: str | None = None, encoding: str | None = None,
                         questions_filename: str = "questions.yaml",
                         on_progress: Callable[[int, int], None] | None = None) -> tuple[bytes, str, str]:  # fmt: skip
    """``(document bytes, mimetype, download name)`` for an uploaded CSV/JSONL of contributions.

    Raises :class:`BriefingError` for a bad file (missing column, empty, not UTF-8, bad JSON
    line, unknown question) or option; the message names the file and line. The Markdown
    variant lists the key messages as text (one file to download, no image beside it).
    """
    if fmt not in MIMETYPES:
        raise BriefingError(N_("unknown format %(format)s (use docx or md)", format=repr(fmt)))
    briefing = load_briefing(filename, data, lang=lang, title=title, questions_yaml=questions_yaml, meeting=meeting,
                             encoding=encoding, questions_filename=questions_filename,
                             on_progress=on_progress)  # fmt: skip
    body = render_docx(briefing) if fmt == "docx" else render_markdown(briefing).encode("utf-8")
    return body, MIMETYPES[fmt], download_name(title or briefing.title, fmt)
