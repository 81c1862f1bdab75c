"""The review queue of a campaign's open answers, its second-coder sample, and agreement.

The queue puts the answers the model is least sure of first (``Coding.confidence``: the
calibrated chance that its suggestion needs no correction), so that a reviewer's first hour
goes where the model needs people most. A share of the reviewed answers
(``Campaign.second_coding_percent``) is coded again by another person who does not see the
first decision; Cohen's kappa between them, and between the model and the reviewers, says how
far the codes can be trusted.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from typing import ClassVar

from sqlmodel import Session

from analysis.agreement import RELIABLE_PAIRS, Agreement, agreement
from cips.models import Campaign, Coding, CodingSource
from cips.services import audit
from cips.services.coding import LABELS, OpenAnswer, decisions, latest, open_answers, same_text, suggestions
from cips.services.messages import N_

#: Fewer pairs than this and a kappa is not shown: the small-cell rule of every output.
MIN_PAIRS = 5


class ReviewError(ValueError):
    pass


@dataclass(frozen=True)
class QueueFilters:
    question: str | None = None  # an open item's id
    language: str | None = None  # the language the questionnaire was answered in
    factor: str | None = None  # in the answer's code (the decision, else the model's suggestion)
    unreviewed: bool = False
    second: bool = False  # the second coder's queue: reviewed answers of the sample, first code hidden

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (the empty ones left out), to keep them from page to page."""
        args = {"question": self.question, "language": self.language, "factor": self.factor,
                "unreviewed": "1" if self.unreviewed else None, "second": "1" if self.second else None}  # fmt: skip
        return {k: v for k, v in args.items() if v}


@dataclass
class QueueEntry:
    answer: OpenAnswer
    suggestion: Coding | None
    decision: Coding | None
    second: Coding | None = None
    #: The other answers with the same text, which a decision on this one applies to too
    #: (``cips.services.coding.record_text_decision``): the queue shows the text once.
    same: tuple[int, ...] = ()


def in_second_sample(campaign: Campaign, answer_id: int) -> bool:
    """Whether the answer is in the second coder's sample: a fixed pseudo-random draw per answer,
    so raising the share keeps every answer already drawn and adds others."""
    draw = int(hashlib.sha256(f"{campaign.id}:{answer_id}".encode()).hexdigest()[:8], 16) % 100
    return draw < campaign.second_coding_percent


def entries(session: Session, campaign: Campaign) -> list[QueueEntry]:
    """Every open answer with its suggestion, decision and second code, least sure first."""
    suggested, decided = suggestions(session, campaign), decisions(session, campaign)
    seconds = latest(session, campaign, [CodingSource.second_coder.value])
    rows = [QueueEntry(a, suggested.get(a.answer_id), decided.get(a.answer_id), seconds.get(a.answer_id))
            for a in open_answers(session, campaign)]  # fmt: skip

    def unsure_first(entry: QueueEntry) -> tuple[int, float, int]:
        """The calibrated confidence, lowest first; suggestions stored without one (before it was kept)
        follow by their raw margin, and answers the model has not coded yet come last."""
        s = entry.suggestion
        if s is not None and s.confidence is not None:
            return 0, s.confidence, entry.answer.answer_id
        return 1, s.margin if s is not None and s.margin is not None else math.inf, entry.answer.answer_id

    return sorted(rows, key=unsure_first)


def queue(session: Session, campaign: Campaign, filters: QueueFilters, coder: str | None = None) -> list[QueueEntry]:
    """The answers to review under ``filters``, in review order.

    Answers with the same text (two respondents who wrote the same words) are one entry, the
    first in review order, whose ``same`` names the others: a reviewer codes a text once.
    The second coder's queue holds the sampled answers someone else reviewed and nobody has
    coded a second time yet; its entries carry neither the first decision nor the model's
    suggestion (both would steer the second code), and are not grouped (agreement is per answer).
    """
    rows = entries(session, campaign)
    by_text: dict[str, list[int]] = {}
    for entry in rows:
        by_text.setdefault(same_text(entry.answer.text), []).append(entry.answer.answer_id)
    shown: set[str] = set()
    out = []
    for entry in rows:
        a = entry.answer
        if filters.second:
            if (entry.decision is None or entry.second is not None or entry.decision.coder == coder
                    or not in_second_sample(campaign, a.answer_id)):  # fmt: skip
                continue
            entry = QueueEntry(a, None, None)
        if filters.question and a.item_id != filters.question:
            continue
        if filters.language and a.language != filters.language:
            continue
        if filters.unreviewed and entry.decision is not None:
            continue
        code = entry.decision or entry.suggestion
        if filters.factor and (code is None or filters.factor not in code.labels):
            continue
        if not filters.second:
            text = same_text(a.text)
            if text in shown:
                continue
            shown.add(text)
            entry = replace(entry, same=tuple(i for i in by_text[text] if i != a.answer_id))
        out.append(entry)
    return out


def set_second_coding(session: Session, campaign: Campaign, percent: int, *, actor: str) -> None:
    if not 0 <= percent <= 100:
        raise ReviewError(N_("the second-coding share is a percentage from 0 to 100, not %(n)s", n=percent))
    audit.record(session, actor, "review.second_coding", campaign.slug, before=campaign.second_coding_percent,
                 after=percent)  # fmt: skip
    campaign.second_coding_percent = percent
    session.add(campaign)
    session.commit()


def agreement_of(pairs: list[tuple[Coding, Coding]]) -> Agreement | None:
    """Cohen's kappa (``analysis.agreement``) of paired codings, for the primary and per factor;
    None under ``MIN_PAIRS`` pairs (the small-cell rule: a kappa of 3 answers says who chose what)."""
    if len(pairs) < MIN_PAIRS:
        return None
    return agreement([a.labels for a, _ in pairs], [a.primary for a, _ in pairs],
                     [b.labels for _, b in pairs], [b.primary for _, b in pairs])  # fmt: skip


def _primary(found: Agreement | None) -> float | None:
    return None if found is None or found.primary.kappa is None else round(found.primary.kappa, 2)


def _per_factor(found: Agreement | None) -> dict[str, float | None]:
    """Kappa per label, rounded; None where undefined (nobody used the label) or too few pairs."""
    if found is None:
        return {}
    return {label: None if k.kappa is None else round(k.kappa, 2) for label, k in found.labels.items()}


@dataclass
class ReviewStats:
    open_answers: int
    reviewed: int
    suggested: int
    second_coded: int
    model_kappa: float | None  # model's primary against the reviewers' primary
    coder_kappa: float | None  # first against second coder, primary
    #: The n of the model–reviewer kappa: reviewed answers that have a suggestion to compare with
    #: (the coder–coder kappa's n is ``second_coded``). Under ``MIN_PAIRS`` the kappa is not computed.
    model_pairs: int = 0
    #: Answers with the model's code and no person's decision (not those the model has not coded yet).
    machine_only: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    #: Kappa per factor (present/absent), model against reviewers and coder against coder.
    model_by_factor: dict[str, float | None] = field(default_factory=dict)
    coder_by_factor: dict[str, float | None] = field(default_factory=dict)
    #: Under this many answers coded twice, a coder–coder kappa is shown but marked too few to rely on.
    reliable_pairs: ClassVar[int] = RELIABLE_PAIRS
    #: Under this many pairs a kappa is not computed at all.
    min_pairs: ClassVar[int] = MIN_PAIRS

    @property
    def model_too_few(self) -> bool:
        """A model–reviewer kappa is shown (5 pairs or more) but rests on too few answers to rely on."""
        return self.model_kappa is not None and self.model_pairs < RELIABLE_PAIRS

    @property
    def coder_too_few(self) -> bool:
        """A coder–coder kappa is shown (5 pairs or more) but rests on too few answers to rely on."""
        return self.coder_kappa is not None and self.second_coded < RELIABLE_PAIRS

    @property
    def uncoded(self) -> int:
        """Answers neither reviewed nor coded by the model yet (the model codes in the background)."""
        return self.open_answers - self.reviewed - self.machine_only

    @property
    def factor_gaps(self) -> bool:
        """Whether the per-factor table shows a "–" anywhere (a kappa undefined or on too few pairs),
        so that the note explaining it is printed only then."""
        return any(k is None or self.coder_by_factor.get(label) is None for label, k in self.model_by_factor.items())


def review_stats(session: Session, campaign: Campaign, rows: list[QueueEntry] | None = None) -> ReviewStats:
    rows = entries(session, campaign) if rows is None else rows
    reviewed = [e for e in rows if e.decision is not None]
    with_model = [e for e in reviewed if e.suggestion is not None]
    paired = [e for e in reviewed if e.second is not None]
    by_source: dict[str, int] = {}
    for e in reviewed:
        by_source[e.decision.source] = by_source.get(e.decision.source, 0) + 1  # type: ignore[union-attr]
    model = agreement_of([(e.suggestion, e.decision) for e in with_model])  # type: ignore[misc]
    coders = agreement_of([(e.decision, e.second) for e in paired])  # type: ignore[misc]
    return ReviewStats(
        open_answers=len(rows), reviewed=len(reviewed), suggested=sum(e.suggestion is not None for e in rows),
        second_coded=len(paired), model_kappa=_primary(model), coder_kappa=_primary(coders),
        model_pairs=len(with_model), by_source=by_source,
        machine_only=sum(e.decision is None and e.suggestion is not None for e in rows),
        model_by_factor=_per_factor(model), coder_by_factor=_per_factor(coders),
    )  # fmt: skip


@dataclass
class FreeTextSummary:
    """What the open answers are about, for the dashboard: answers per label (people's decision where
    there is one, else the model's suggestion) and how many of them are machine-only."""

    review: ReviewStats
    by_label: dict[str, int]

    @property
    def uncoded(self) -> int:
        """Open answers the model has not coded yet (counted in no label)."""
        return self.review.uncoded


def free_text_summary(session: Session, campaign: Campaign) -> FreeTextSummary:
    rows = entries(session, campaign)
    by_label = dict.fromkeys(LABELS, 0)
    for entry in rows:
        code = entry.decision or entry.suggestion
        for label in code.labels if code is not None else ():
            by_label[label] = by_label.get(label, 0) + 1
    return FreeTextSummary(review_stats(session, campaign, rows), by_label)


@dataclass
class ReviewPage:
    """One answer of the queue, where it stands, and its neighbours (for the arrow keys)."""

    entry: QueueEntry | None
    position: int  # 1-based; 0 when the queue is empty
    total: int
    previous: int | None
    next: int | None


def review_page(session: Session, campaign: Campaign, filters: QueueFilters, answer_id: int | None = None,
                coder: str | None = None) -> ReviewPage:  # fmt: skip
    """The answer ``answer_id`` of the queue under ``filters`` (the first when it is not in it)."""
    rows = queue(session, campaign, filters, coder)
    ids = [e.answer.answer_id for e in rows]
    if not ids:
        return ReviewPage(None, 0, 0, None, None)
    # An answer shown under another with the same text opens that one.
    i = next((k for k, e in enumerate(rows) if answer_id == e.answer.answer_id or answer_id in e.same), 0)
    return ReviewPage(rows[i], i + 1, len(ids), ids[i - 1] if i > 0 else None, ids[i + 1] if i + 1 < len(ids) else None)
