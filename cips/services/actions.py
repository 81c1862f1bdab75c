"""Action plans of a campaign: record measures for unfavourable factors, follow them, export them.

Measures are recorded against the wave whose results called for them; the next wave's report
shows them beside each factor's change (``cips.services.reports``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session

from analysis.actions import MeasureStatus
from analysis.factors import FACTOR_IDS, factor_name
from analysis.report.model import FactorStatus
from analysis.report.status import factor_status
from cips.exports.formats import xlsx_cell
from cips.models import ActionMeasure, Campaign, utcnow
from cips.services import audit
from cips.services.measures import as_records
from cips.services.messages import N_
from cips.services.reports import report_input

MAX_WHAT_CHARS = 2000

#: A measure's status in words (translated where shown: the page, the Word plan).
STATUS_WORDS = {MeasureStatus.planned: N_("planned"), MeasureStatus.in_progress: N_("in progress"),
                MeasureStatus.done: N_("done"), MeasureStatus.dropped: N_("dropped")}  # fmt: skip
#: The Word plan's headings.
PLAN_WORDS = {"title": N_("Action plan"), "index": N_("Index"), "change": N_("Change since the previous wave"),
              "what": N_("Measure"), "owner": N_("Unit in charge"), "due": N_("Due date"), "status": N_("Status"),
              "evidence": N_("Evidence (link)")}  # fmt: skip


def plan_labels() -> dict[str, str]:
    """The plan document's words in the current locale (a request's, or ``force_locale``'s)."""
    words = {**PLAN_WORDS, **{s.value: word for s, word in STATUS_WORDS.items()}}
    return {key: word.translated() for key, word in words.items()}


class ActionError(ValueError):
    pass


@dataclass
class MeasureInput:
    factor: str
    what: str
    owner: str
    due: date | None = None
    status: MeasureStatus = MeasureStatus.planned
    evidence_url: str | None = None
    shared: bool = False

    def checked(self) -> MeasureInput:
        if self.factor not in FACTOR_IDS:
            raise ActionError(N_("factor: %(factor)s is not a RAD factor id", factor=repr(self.factor)))
        what, owner = (self.what or "").strip(), (self.owner or "").strip()
        if not what or len(what) > MAX_WHAT_CHARS:
            raise ActionError(N_("what: describe the measure (1 to %(n)s characters)", n=str(MAX_WHAT_CHARS)))
        if not owner or len(owner) > 200:
            raise ActionError(N_("owner: name the unit in charge (1 to 200 characters)"))
        url = (self.evidence_url or "").strip() or None
        if url is not None and (urlsplit(url).scheme not in ("http", "https") or len(url) > 500):
            raise ActionError(N_("evidence: a link must start with http:// or https://"))
        return MeasureInput(self.factor, what, owner, self.due, MeasureStatus(self.status), url, bool(self.shared))


def add_measure(session: Session, campaign: Campaign, data: MeasureInput, actor: str) -> ActionMeasure:
    data = data.checked()
    measure = ActionMeasure(campaign_id=campaign.id, factor=data.factor, what=data.what, owner=data.owner,
                            due=data.due, status=data.status, evidence_url=data.evidence_url, shared=data.shared,
                            created_by=actor)  # fmt: skip
    session.add(measure)
    audit.record(session, actor, "actions.add", campaign.slug, factor=data.factor, status=data.status.value)
    session.commit()
    return measure


def set_status(session: Session, campaign: Campaign, measure_id: int, status: str, actor: str,
               evidence_url: str | None = None) -> ActionMeasure:  # fmt: skip
    measure = session.get(ActionMeasure, measure_id)
    if measure is None or measure.campaign_id != campaign.id:
        raise ActionError(N_("no measure %(id)s in this campaign", id=str(measure_id)))
    try:
        new = MeasureStatus(status)
    except ValueError as exc:
        raise ActionError(N_("status: %(status)s is not a measure status", status=repr(status))) from exc
    checked = MeasureInput(measure.factor, measure.what, measure.owner, measure.due, new,
                           evidence_url if evidence_url is not None else measure.evidence_url).checked()  # fmt: skip
    old = measure.status
    measure.status, measure.evidence_url, measure.updated_at = new, checked.evidence_url, utcnow()
    session.add(measure)
    audit.record(session, actor, "actions.update", campaign.slug, measure=measure_id, old=old.value, new=new.value)
    session.commit()
    return measure


def campaign_status(session: Session, campaign: Campaign) -> list[FactorStatus]:
    """Each factor of the campaign with why it is unfavourable (see ``analysis.actions``)."""
    inp = report_input(session, campaign, "en")
    return [] if inp.respondents.empty else factor_status(inp)


def plan_xlsx(rows: list[ActionMeasure], statuses: list[FactorStatus], lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "plan"
    header = ["factor", "factor_name", "change", "what", "owner", "due", "status", "evidence_url"]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    change = {s.factor: s.change for s in statuses}
    for m in as_records(rows):
        values = (m["factor"], factor_name(m["factor"], lang), change.get(m["factor"]), m["what"], m["owner"],
                  m["due"], m["status"], m["evidence_url"])  # fmt: skip
        sheet.append([xlsx_cell(v) for v in values])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plan_docx(campaign: Campaign, rows: list[ActionMeasure], statuses: list[FactorStatus], lang: str,
              labels: dict[str, str]) -> bytes:  # fmt: skip
    """The plan as a Word document: per factor, why it is unfavourable, then its measures."""
    from docx import Document

    doc = Document()
    doc.add_heading(f"{labels['title']} — {campaign.name}", level=1)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for m in as_records(rows):
        grouped.setdefault(m["factor"], []).append(m)
    by_factor = {s.factor: s for s in statuses}
    for factor in [f for f in FACTOR_IDS if f in grouped or (f in by_factor and by_factor[f].weak)]:
        doc.add_heading(factor_name(factor, lang), level=2)
        status = by_factor.get(factor)
        if status is not None:
            shown = ", ".join(f"{k}: {v if v is not None else 'n<5'}" for k, v in status.indices.items())
            doc.add_paragraph(f"{labels['index']}: {shown}" + (f" · {labels['change']}: {status.change:+.1f}"
                                                                if status.change is not None else ""))  # fmt: skip
        table = doc.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, (labels["what"], labels["owner"], labels["due"],
                                                      labels["status"], labels["evidence"]), strict=True):  # fmt: skip
            cell.text = text
        for m in grouped.get(factor, []):
            cells = table.add_row().cells
            for cell, text in zip(cells, (m["what"], m["owner"], m["due"] or "", labels.get(m["status"], m["status"]),
                                          m["evidence_url"] or ""), strict=True):  # fmt: skip
                cell.text = text
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
