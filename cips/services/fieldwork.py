"""Fieldwork progress of one campaign: what the manager's live dashboard shows.

Everything is aggregated in SQL (a dashboard polled every few seconds must not
load every answer), and every count of respondents from 1 to 4 is suppressed
(``None`` here, "n<5" on screen): in a small office, "2 officials of the port
answered" already says too much.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from analysis.privacy import (  # suppress*: re-exported for the views
    MIN_CELL,
    Hidden,
    round_share,
    share_step,
    suppress,
    suppress_group,
    suppress_strata,
    why_hidden,
)
from analysis.sampling import margin_of_error
from cips import clock
from cips.instruments.schema import ItemType
from cips.instruments.service import definition_of
from cips.models import Answer, Campaign, EncryptedSubmission, QuarantinedSubmission, Submission
from cips.services.campaigns import campaign_instruments, current_versions
from cips.services.exclusions import counted, excluded_counts
from cips.services.labels import stratum_label
from cips.submissions import window


@dataclass
class StratumProgress:
    instrument: str
    stratum: str  # "region=north,function=clearance"
    labels: str  # the same in words, in the page language
    target: int
    population: int | None
    achieved: int  # the true count: only ever shown through ``shown``
    #: Why the count is hidden (small, or with its questionnaire's strata); ``None``: shown.
    why: Hidden | None = None

    @property
    def shown(self) -> int | None:
        return None if self.why is not None else suppress(self.achieved)

    @property
    def share(self) -> float:
        if self.shown is None:
            return 0.0
        return min(1.0, self.achieved / self.target) if self.target else 0.0

    @property
    def moe(self) -> float | None:
        return margin_of_error(self.achieved, self.population) if self.shown else None

    @property
    def representative(self) -> bool:
        """Target reached: the target is the sample the design needs for this stratum.

        Never true under 5 respondents, whatever the target, nor for a stratum hidden by
        complementary suppression: the mark must not narrow down a count the page hides.
        """
        return self.shown is not None and self.achieved >= max(self.target, MIN_CELL)


@dataclass
class SectionProgress:
    instrument: str  # "officials v1"
    section: str
    title: str
    reached: int  # respondents who answered at least one item of the section (true count, not shown)
    completion: float  # answered / (respondents × items of the section)
    drop_off: int  # reached this section but not the next one (true count, not shown)
    #: ``reached`` as it may be shown, ``None`` when hidden (see :func:`_shown_sections`).
    reached_shown: int | None = None
    #: ``drop_off`` as it may be shown: only where both figures it is the difference of are shown.
    drop_off_shown: int | None = None
    key: str = ""
    version: int = 0
    #: Respondents of this questionnaire version (true count), and whether that count is shown.
    respondents: int = 0
    anchor_shown: bool = False

    @property
    def step(self) -> float:
        return share_step(self.respondents)

    @property
    def share_shown(self) -> float | None:
        """Share of the questionnaire's respondents who reached this part, rounded to a step of at
        least 5 respondents (``analysis.privacy.round_share``); ``None`` when their count is hidden."""
        return round_share(self.reached / self.respondents, self.respondents) if self.anchor_shown else None

    @property
    def completion_shown(self) -> float | None:
        """Share of the part's items answered, rounded the same way, so that a single skipped item
        (which 4 decimals would show: 1 in 60 × n) cannot be seen."""
        return round_share(self.completion, self.respondents) if self.anchor_shown else None


@dataclass
class Fieldwork:
    total: int
    per_day: list[tuple[date, int | None]]
    per_instrument: dict[str, int | None]
    per_language: dict[str, int | None]
    strata: list[StratumProgress]
    sections: list[SectionProgress]
    quarantined: int
    quarantine_reasons: list[tuple[str, int]]
    quarantine_latest: list[dict[str, Any]] = field(default_factory=list)
    #: Why each hidden cell of ``per_day``, ``per_instrument`` and ``per_language`` is hidden.
    hidden: dict[str, dict[Any, Hidden]] = field(default_factory=dict)
    #: Answers sealed for the key holder: no language or section figures on the server.
    encrypted: bool = False
    #: Once the campaign has closed: records received after closing (finished before it, within
    #: the grace period: see cips.submissions.window); None while it runs.
    late: int | None = None
    #: Records a manager excluded (left out of every figure above), per category.
    excluded: dict[str, int] = field(default_factory=dict)


def _stratum_counts(session: Session, campaign: Campaign, wanted: list[str],
                    keys: dict[int, str]) -> Counter[tuple[str, frozenset]]:  # fmt: skip
    """``(instrument key, {(item, value), …})`` → respondents, over the stratum items ``wanted``.

    Encrypted campaigns answer from the strata they declared in clear; nothing else of
    their answers is readable here.
    """
    if campaign.encrypted:
        return _sealed_stratum_counts(session, campaign, keys)
    rows = session.execute(
        select(Answer.submission_id, Submission.instrument_id, Answer.item_id, Answer.value_text)
        .join(Submission, Submission.id == Answer.submission_id)
        .where(counted(campaign.id), Answer.item_id.in_(wanted))
    ).all()
    values: dict[int, tuple[str, dict[str, str]]] = {}
    for sub_id, instrument_id, item_id, value in rows:
        values.setdefault(sub_id, (keys.get(instrument_id, str(instrument_id)), {}))[1][item_id] = value
    return Counter((key, frozenset(v.items())) for key, v in values.values())


def _sealed_stratum_counts(
    session: Session, campaign: Campaign, keys: dict[int, str]
) -> Counter[tuple[str, frozenset]]:
    """The same counts for an encrypted campaign, from the strata its envelopes carry in clear."""
    out: Counter[tuple[str, frozenset]] = Counter()
    for instrument_id, strata in session.execute(
        select(EncryptedSubmission.instrument_id, EncryptedSubmission.strata).where(
            EncryptedSubmission.campaign_id == campaign.id
        )
    ):
        out[(keys.get(instrument_id, str(instrument_id)), frozenset((strata or {}).items()))] += 1
    return out


def _strata(session: Session, campaign: Campaign, definitions: dict[str, Any], keys: dict[int, str],
            lang: str) -> list[StratumProgress]:  # fmt: skip
    populations = campaign.populations
    wanted = sorted({part.partition("=")[0] for targets in (campaign.quotas or {}).values()
                     for stratum in targets for part in stratum.split(",")})  # fmt: skip
    counts = _stratum_counts(session, campaign, wanted, keys) if wanted else Counter()
    out: list[StratumProgress] = []
    for key, targets in (campaign.quotas or {}).items():
        definition = definitions.get(key)
        if definition is None:
            continue
        for stratum, target in targets.items():
            need = {tuple(part.split("=", 1)) for part in stratum.split(",")}
            achieved = sum(n for (inst, combo), n in counts.items() if inst == key and need <= set(combo))
            out.append(StratumProgress(key, stratum, stratum_label(definition, stratum, lang), int(target),
                                       (populations.get(key) or {}).get(stratum), achieved))  # fmt: skip
    # Strata over the same or overlapping items share the questionnaire's shown total.
    shown = suppress_strata([(row.instrument, row.stratum, row.achieved) for row in out])
    counts = [row.achieved for row in out]
    for key in {row.instrument for row in out}:
        mine = [i for i, row in enumerate(out) if row.instrument == key]
        for i, why in why_hidden(counts, shown, mine).items():
            out[i].why = why
    return out


def _shown_sections(rows: list[SectionProgress], anchor: int | None) -> None:
    """Decide which figures of one questionnaire's section table may be shown.

    "Stopped here" is the difference of two "Reached" figures, and any two shown "Reached"
    (or one and the questionnaire's count, ``anchor``) subtract to the respondents who stopped
    in between. So a "Reached" is shown only when it differs from the anchor and from every
    "Reached" already shown by 0 or at least ``MIN_CELL``: then no subtraction of shown
    figures gives a count of 1 to 4. A "Stopped here" is shown only when both figures it is
    the difference of are shown (it is then 0 or ≥ 5 itself); otherwise it is n<5 or part of
    a hidden run of sections whose stops add up to at least 5. Without a publishable anchor
    (the questionnaire's own count hidden) nothing is shown.
    """
    if anchor is None or suppress(anchor) is None:
        return
    shown = [anchor]
    for row in rows:
        if suppress(row.reached) is not None and all(suppress(abs(v - row.reached)) is not None for v in shown):
            row.reached_shown = row.reached
            shown.append(row.reached)


def _sections(session: Session, campaign: Campaign, instruments: list[Any], lang: str,
              per_instrument: dict[str, int | None]) -> list[SectionProgress]:  # fmt: skip
    counts = dict(
        session.execute(
            select(Submission.instrument_id, func.count())
            .where(counted(campaign.id))
            .group_by(Submission.instrument_id)
        ).all()
    )
    # Versions of one questionnaire add up to its count on the cards: suppressed as a group.
    by_key: dict[str, dict[int, int]] = {}
    for row in instruments:
        by_key.setdefault(row.key, {})[row.id] = counts.get(row.id, 0)
    anchors: dict[int, int | None] = {}
    for key, versions in by_key.items():
        group = suppress_group(versions)
        anchors |= {i: group[i] if per_instrument.get(key) is not None else None for i in versions}
    out: list[SectionProgress] = []
    for row in instruments:
        n_resp = counts.get(row.id, 0)
        if not n_resp:
            continue
        per_item = dict(
            session.execute(
                select(Answer.item_id, func.count())
                .join(Submission, Submission.id == Answer.submission_id)
                .where(counted(campaign.id), Submission.instrument_id == row.id)
                .group_by(Answer.item_id)
            ).all()
        )
        definition = definition_of(row)
        reached = []
        for section in definition.sections:
            item_counts = [per_item.get(item.id, 0) for item in section.items]
            # Without per-respondent paths, "reached" is the best-answered item of the section: a
            # respondent who answered any item counts at most once there.
            reached.append((section, max(item_counts), sum(item_counts) / (n_resp * len(section.items))))
        rows: list[SectionProgress] = []
        following_of: list[int] = []
        for i, (section, n_reached, completion) in enumerate(reached):
            # Leaving the free-text section empty is not dropping out: compare with the next
            # section that has a closed question.
            later = [j for j in range(i + 1, len(reached))
                     if any(item.type is not ItemType.text for item in reached[j][0].items)]  # fmt: skip
            following_of.append(later[0] if later else i)
            title = section.title.get(lang) or section.title.get("en") or section.id
            rows.append(SectionProgress(f"{row.key} v{row.version}", section.id, title, n_reached, completion,
                                        max(0, n_reached - reached[following_of[-1]][1])))  # fmt: skip
        _shown_sections(rows, anchors.get(row.id))
        for section_row in rows:
            section_row.key, section_row.version, section_row.respondents = row.key, row.version, n_resp
            section_row.anchor_shown = suppress(anchors.get(row.id) or 0) not in (None, 0)
        for section_row, j in zip(rows, following_of, strict=True):
            if section_row.reached_shown is not None and rows[j].reached_shown is not None:
                section_row.drop_off_shown = section_row.drop_off
        out.extend(rows)
    return out


def fieldwork(session: Session, campaign: Campaign, lang: str = "en", latest_quarantine: int = 20) -> Fieldwork:
    instruments = campaign_instruments(session, campaign)
    by_id = {row.id: row for row in instruments}
    # Quotas name an instrument key: judge strata by its newest version.
    definitions = {key: definition_of(row) for key, row in current_versions(session, campaign).items()}
    encrypted = campaign.encrypted
    if encrypted:
        Stored, arrived = EncryptedSubmission, EncryptedSubmission.received_at  # language, dates: sealed
    else:
        Stored, arrived = Submission, Submission.submitted_at
    # Records a manager excluded count nowhere here (``excluded`` says how many, per category).
    mine = Stored.campaign_id == campaign.id if encrypted else counted(campaign.id)
    total = session.execute(select(func.count()).select_from(Stored).where(mine)).scalar_one()
    day = func.date(arrived)
    per_day_rows = session.execute(select(day, func.count()).where(mine).group_by(day).order_by(day)).all()
    day_counts = {date.fromisoformat(str(d)[:10]): n for d, n in per_day_rows}
    days = suppress_group(day_counts)
    per_day = sorted(days.items())
    per_instrument_n: Counter[str] = Counter()
    for inst_id, n in session.execute(
        select(Stored.instrument_id, func.count()).where(mine).group_by(Stored.instrument_id)
    ).all():
        per_instrument_n[by_id[inst_id].key if inst_id in by_id else str(inst_id)] += n
    per_instrument = dict(sorted(suppress_group(per_instrument_n).items()))
    per_language = {} if encrypted else dict(
        session.execute(select(Submission.language, func.count()).where(mine).group_by(Submission.language)).all()
    )  # fmt: skip
    closed = window.closing_moment(campaign.status, campaign.closed_at, campaign.closes_at, clock.now())
    late = None
    if closed is not None:
        received = Stored.received_at > closed
        late = session.execute(select(func.count()).select_from(Stored).where(mine, received)).scalar_one()
    languages = dict(sorted(suppress_group(per_language).items()))
    quarantined_q = QuarantinedSubmission.claimed_campaign == campaign.slug
    reasons: Counter[str] = Counter()
    for reason, n in session.execute(
        select(QuarantinedSubmission.reason, func.count()).where(quarantined_q).group_by(QuarantinedSubmission.reason)
    ).all():
        reasons[reason.split(":", 1)[0][:120]] += n
    latest_rows = session.execute(
        select(QuarantinedSubmission.received_at, QuarantinedSubmission.status_code, QuarantinedSubmission.field,
               QuarantinedSubmission.reason, QuarantinedSubmission.body_size, QuarantinedSubmission.claimed_uuid)
        .where(quarantined_q).order_by(QuarantinedSubmission.received_at.desc()).limit(latest_quarantine)
    ).all()  # fmt: skip
    return Fieldwork(
        total=total,
        per_day=per_day,
        per_instrument=per_instrument,
        per_language=languages,
        strata=_strata(session, campaign, definitions, {row.id: row.key for row in instruments}, lang),
        sections=[] if encrypted else _sections(session, campaign, instruments, lang, per_instrument),
        encrypted=encrypted,
        late=late,
        excluded={} if encrypted else excluded_counts(session, campaign),
        quarantined=sum(reasons.values()),
        quarantine_reasons=reasons.most_common(),
        quarantine_latest=[dict(r._mapping) for r in latest_rows],
        hidden={
            "day": why_hidden(day_counts, days),
            "instrument": why_hidden(per_instrument_n, per_instrument),
            "language": why_hidden(per_language, languages),
        },
    )
