"""The review queue as an XLSX workbook for people who code in Excel, and its import back.

The workbook itself (one row per answer, a column per factor, a codebook sheet) and the reading
of it (a diff, one error per bad cell) are ``analysis.review_xlsx``; here the campaign's answers
and codes go in, and the changes come back as ``import`` decisions. An import carries codes
only: a changed answer text is an error, never stored. An encrypted campaign's workbook is
written where the data was decrypted (``cips decrypt --review``, ``cips.services.sealed_codes``)
and read back here the same way, its codes only: its text column is never read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from analysis.review_xlsx import (
    ReviewDiff,
    ReviewFileError,
    ReviewRecord,
    file_suggestions,
    read_review_xlsx,
    write_review_xlsx,
)
from cips.models import Campaign, CodingSource
from cips.services import audit
from cips.services.coding import record_decisions
from cips.services.messages import N_
from cips.services.review import QueueFilters, queue
from cips.services.sealed_codes import import_records, record_sealed_decisions


class ReviewImportError(ValueError):
    pass


def review_records(session: Session, campaign: Campaign) -> list[ReviewRecord]:
    """Every open answer of ``campaign`` as the workbook shows it, least sure first."""
    out = []
    for entry in queue(session, campaign, QueueFilters()):
        suggestion, decision = entry.suggestion, entry.decision
        out.append(ReviewRecord(
            id=str(entry.answer.answer_id), question=entry.answer.item_id, language=entry.answer.language,
            text=entry.answer.text, model_labels=suggestion.labels if suggestion else [],
            model_primary=suggestion.primary if suggestion else "",
            model_confidence=suggestion.confidence if suggestion else None,
            decision_labels=decision.labels if decision else None,
            decision_primary=decision.primary if decision else None,
        ))  # fmt: skip
    return out


def export_workbook(session: Session, campaign: Campaign, lang: str, *, actor: str) -> bytes:
    """The review workbook of ``campaign`` (audited: it holds the answers' text)."""
    if campaign.encrypted:
        raise ReviewImportError(N_("the answers of campaign %(slug)s are encrypted: the server has no text to "
                                   "put in a review workbook; write it where the data is decrypted "
                                   "(cips decrypt --review)", slug=repr(campaign.slug)))  # fmt: skip
    records = review_records(session, campaign)
    data = write_review_xlsx(records, lang=lang)
    audit.record(session, actor, "review.export", campaign.slug, answers=len(records), lang=lang)
    session.commit()
    return data


@dataclass
class ImportPreview:
    diff: ReviewDiff
    #: Per changed answer id, the answer's question and text as stored (to show beside the change).
    answers: dict[str, ReviewRecord]


def preview_import(session: Session, campaign: Campaign, data: bytes) -> ImportPreview:
    """What importing ``data`` would change; raises ReviewImportError when it is no review workbook."""
    try:
        records = (import_records(session, campaign, file_suggestions(data)) if campaign.encrypted
                   else review_records(session, campaign))  # fmt: skip
        diff = read_review_xlsx(data, records)
    except ReviewFileError as exc:
        raise ReviewImportError(N_("this is not a review workbook: %(reason)s", reason=str(exc))) from exc
    by_id = {r.id: r for r in records}
    return ImportPreview(diff, {c.id: by_id[c.id] for c in diff.changes if c.id in by_id})


def apply_import(session: Session, campaign: Campaign, data: bytes, *, actor: str) -> int:
    """Store the workbook's changes as ``import`` decisions (all or none); how many were stored."""
    preview = preview_import(session, campaign, data)
    if not preview.diff.ok:
        raise ReviewImportError(N_("the workbook has %(n)s errors; nothing was imported (first: %(first)s)",
                                   n=len(preview.diff.errors), first=str(preview.diff.errors[0])))  # fmt: skip
    codes = [(c.id, list(c.labels), c.primary) for c in preview.diff.changes]
    if codes and campaign.encrypted:  # answers named by envelope uuid and item: codes only
        record_sealed_decisions(session, campaign, codes, actor=actor, source=CodingSource.imported)
    elif codes:
        record_decisions(session, campaign, [(int(i), labels, primary) for i, labels, primary in codes], actor=actor,
                         source=CodingSource.imported)  # fmt: skip
    audit.record(session, actor, "review.import", campaign.slug, decisions=len(codes))
    session.commit()
    return len(codes)
