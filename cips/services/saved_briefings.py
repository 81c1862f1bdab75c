"""Saved briefings: an uploaded consultation kept in the database, reviewed, and built again from its decisions.

``save_briefing`` reads the file as the one-shot briefing does (same reader, limits and
messages) and stores each contribution as a ``BriefingRow``; its codes are ``Coding`` rows
handled by ``cips.services.coding`` and reviewed in the same queue as a campaign's answers.
``build_saved`` writes the DOCX/Markdown with each contribution's reviewed factors where a
person decided them (``build_briefing(reviewed=...)``), and its method note counts them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func
from sqlmodel import Session, select

from cips.models import Briefing, BriefingRow, Coding
from cips.services import audit
from cips.services.briefings import MIMETYPES, BriefingError, download_name, input_error, read_upload
from cips.services.coding import decisions
from cips.services.messages import N_


@dataclass(frozen=True)
class BriefingSummary:
    briefing: Briefing
    contributions: int
    reviewed: int


def save_briefing(session: Session, *, administration_id: int, actor: str, filename: str, data: bytes, lang: str,
                  title: str, meeting: str | None = None, questions_yaml: bytes | None = None,
                  questions_filename: str = "questions.yaml", encoding: str | None = None) -> Briefing:  # fmt: skip
    """Read an uploaded contributions file and keep it as a briefing of ``administration_id`` (committed).

    Raises :class:`BriefingError` for a bad file or option, with the message of the one-shot
    briefing (file, line, field); nothing is stored then.
    """
    from analysis.briefing import BriefingInputError
    from analysis.briefing.inputs import resolve_questions

    contributions, questions = read_upload(filename, data, lang=lang, questions_yaml=questions_yaml,
                                           encoding=encoding, questions_filename=questions_filename)  # fmt: skip
    try:
        resolve_questions(contributions, questions, filename)  # an unknown question is refused now, not at build
    except BriefingInputError as exc:
        raise input_error(exc) from exc
    kept = [{"id": q.id, "text": dict(q.text)} for q in questions] if questions else None
    briefing = Briefing(administration_id=administration_id, title=title, meeting=meeting or None, lang=lang,
                        filename=filename[:255], created_by=actor, questions=kept)  # fmt: skip
    session.add(briefing)
    session.flush()
    for c in contributions:
        session.add(BriefingRow(briefing_id=briefing.id, line=c.line, question=c.question, answer=c.answer,
                                contributor=c.contributor, lang=c.lang, attributable=c.attributable))  # fmt: skip
    audit.record(session, actor, "briefing.save", f"briefing:{briefing.id}", filename=briefing.filename,
                 contributions=len(contributions), lang=lang)  # fmt: skip
    session.commit()
    return briefing


def briefings_of(session: Session, administration_id: int | None) -> list[BriefingSummary]:
    """The administration's saved briefings, newest first, with their contributions and how many were reviewed."""
    if administration_id is None:
        return []
    found = session.exec(select(Briefing).where(Briefing.administration_id == administration_id)
                         .order_by(Briefing.created_at.desc(), Briefing.id.desc())).all()  # fmt: skip
    counts = dict(session.exec(select(BriefingRow.briefing_id, func.count()).where(
        BriefingRow.briefing_id.in_([b.id for b in found])).group_by(BriefingRow.briefing_id)).all())  # fmt: skip
    return [BriefingSummary(b, counts.get(b.id, 0), len(decisions(session, b)))
            for b in found]  # fmt: skip


def get_briefing(session: Session, briefing_id: int, administration_id: int | None) -> Briefing | None:
    """The briefing if it belongs to ``administration_id`` (None otherwise: another administration's is not found)."""
    briefing = session.get(Briefing, briefing_id)
    if briefing is None or administration_id is None or briefing.administration_id != administration_id:
        return None
    return briefing


def contributions_of(session: Session, briefing: Briefing) -> list[BriefingRow]:
    return list(session.exec(select(BriefingRow).where(BriefingRow.briefing_id == briefing.id)
                             .order_by(BriefingRow.line, BriefingRow.id)).all())  # fmt: skip


def reviewed_factors(session: Session, briefing: Briefing, rows: list[BriefingRow]) -> dict[int, list[str]]:
    """Index of each reviewed contribution in ``rows`` -> the factors its latest decision gives (primary first)."""
    decided: dict[int, Coding] = decisions(session, briefing)
    return {i: list(decided[row.id].labels) for i, row in enumerate(rows) if row.id in decided}


def build_saved(session: Session, briefing: Briefing, fmt: Literal["docx", "md"] = "docx", *,
                classifier: object = None,
                on_progress: Callable[[int, int], None] | None = None) -> tuple[bytes, str, str]:  # fmt: skip
    """``(document bytes, mimetype, download name)`` of a saved briefing, built from the current decisions.

    ``on_progress(done, total)`` follows the answers being embedded (see ``build_briefing``).
    """
    from analysis.briefing import Contribution, Question, build_briefing
    from analysis.briefing.render_docx import render_docx
    from analysis.briefing.render_md import render_markdown

    if fmt not in MIMETYPES:
        raise BriefingError(N_("unknown format %(format)s (use docx or md)", format=repr(fmt)))
    rows = contributions_of(session, briefing)
    if not rows:
        raise BriefingError(N_("%(file)s: no contribution to brief on", file=briefing.filename))
    items = [Contribution(question=r.question, answer=r.answer, contributor=r.contributor, lang=r.lang,
                          attributable=r.attributable, line=r.line) for r in rows]  # fmt: skip
    questions = [Question(q["id"], dict(q["text"])) for q in briefing.questions] if briefing.questions else None
    built = build_briefing(items, lang=briefing.lang, title=briefing.title, meeting=briefing.meeting,
                           questions=questions, source_name=briefing.filename, classifier=classifier,
                           reviewed=reviewed_factors(session, briefing, rows), on_progress=on_progress)  # fmt: skip
    body = render_docx(built) if fmt == "docx" else render_markdown(built).encode("utf-8")
    return body, MIMETYPES[fmt], download_name(briefing.title, fmt)
