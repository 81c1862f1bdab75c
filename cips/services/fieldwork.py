"""Fieldwork progress of one campaign: what the manager's live dashboard shows.

Everything is aggregated in SQL (a dashboard polled every few seconds must not
load every answer), and every count of respondents from 1 to 4 is suppressed
(``None`` here, "n<5" on screen): in a small office, "2 officials of the port
answered" already says too much.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from analysis.privacy import MIN_CELL, suppress
from cips.instruments.schema import ItemType
from cips.instruments.service import definition_of
from cips.models import Answer, Campaign, EncryptedSubmission, QuarantinedSubmission, Submission
from cips.services.campaigns import campaign_instruments

#: z for a two-sided 95 % interval.
Z95 = 1.959963984540054


def suppress_group(counts: dict[Any, int]) -> dict[Any, int | None]:
    """Suppress the small cells of a group whose total is shown, and one more when needed.

    With the total on screen, a single hidden cell is the total minus the others, so a
    second cell (the smallest shown one) is hidden too: *complementary suppression*, as
    statistical offices do for published tables.
    """
    shown = {key: suppress(n) for key, n in counts.items()}
    hidden = [key for key, n in shown.items() if n is None]
    if len(hidden) == 1:
        visible = sorted((n, str(key), key) for key, n in shown.items() if n)
        if visible:
            shown[visible[0][2]] = None
    return shown


def margin_of_error(n: int, population: int | None = None, p: float = 0.5) -> float | None:
    """Half-width of the 95 % interval of a proportion estimated from ``n`` answers.

    ``p = 0.5`` is the worst case, the figure survey practice quotes. With a known
    population the finite population correction shrinks it (to 0 for a census).
    """
    if n <= 0:
        return None
    moe = Z95 * math.sqrt(p * (1 - p) / n)
    if population and population > 1 and n <= population:
        moe *= math.sqrt((population - n) / (population - 1))
    return moe


@dataclass
class StratumProgress:
    instrument: str
    stratum: str  # "region=north,function=clearance"
    labels: str  # the same in words, in the page language
    target: int
    population: int | None
    achieved: int  # the true count: only ever shown through ``shown``
    #: Hidden by complementary suppression (see :func:`suppress_group`) although ≥ 5.
    hidden: bool = False

    @property
    def shown(self) -> int | None:
        return None if self.hidden else suppress(self.achieved)

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

        Never true under 5 respondents, whatever the target: the mark must not reveal a
        count that the page shows as n<5.
        """
        return self.achieved >= max(self.target, MIN_CELL)


@dataclass
class SectionProgress:
    instrument: str
    section: str
    title: str
    reached: int  # respondents who answered at least one item of the section
    completion: float  # answered / (respondents × items of the section)
    drop_off: int  # reached this section but not the next one


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
    #: Answers sealed for the key holder: no language or section figures on the server.
    encrypted: bool = False


def _label(definition: Any, stratum: str, lang: str) -> str:
    items = definition.item_map()
    words = []
    for part in stratum.split(","):
        item_id, _, value = part.partition("=")
        item = items.get(item_id)
        choice = next((c for c in (item.choices or []) if c.value == value), None) if item else None
        words.append(choice.label.get(lang) or choice.label.get("en") or value if choice else value)
    return " × ".join(words)


def _stratum_counts(session: Session, campaign: Campaign, wanted: list[str],
                    keys: dict[int, str]) -> Counter[tuple[str, frozenset]]:  # fmt: skip
    """``(instrument key, {(item, value), …})`` → respondents, over the stratum items ``wanted``.

    Encrypted campaigns answer from the strata they declared in clear; nothing else of
    their answers is readable here.
    """
    if campaign.encrypted:
        from cips.submissions.envelope import encrypted_strata_counts

        return encrypted_strata_counts(session, campaign)
    rows = session.execute(
        select(Answer.submission_id, Submission.instrument_id, Answer.item_id, Answer.value_text)
        .join(Submission, Submission.id == Answer.submission_id)
        .where(Submission.campaign_id == campaign.id, Answer.item_id.in_(wanted))
    ).all()
    values: dict[int, tuple[str, dict[str, str]]] = {}
    for sub_id, instrument_id, item_id, value in rows:
        values.setdefault(sub_id, (keys.get(instrument_id, str(instrument_id)), {}))[1][item_id] = value
    return Counter((key, frozenset(v.items())) for key, v in values.values())


def _strata(session: Session, campaign: Campaign, definitions: dict[str, Any], keys: dict[int, str],
            lang: str) -> list[StratumProgress]:  # fmt: skip
    populations = getattr(campaign, "populations", None) or {}
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
            out.append(StratumProgress(key, stratum, _label(definition, stratum, lang), int(target),
                                       (populations.get(key) or {}).get(stratum), achieved))  # fmt: skip
    # Strata over the same items (all regions, say) add up to the questionnaire's shown total.
    groups: dict[tuple[str, frozenset], list[StratumProgress]] = {}
    for row in out:
        items = frozenset(part.partition("=")[0] for part in row.stratum.split(","))
        groups.setdefault((row.instrument, items), []).append(row)
    for rows in groups.values():
        shown = suppress_group({i: r.achieved for i, r in enumerate(rows)})
        for i, row in enumerate(rows):
            row.hidden = shown[i] is None and row.achieved >= MIN_CELL
    return out


def _sections(session: Session, campaign: Campaign, instruments: list[Any], lang: str) -> list[SectionProgress]:
    out: list[SectionProgress] = []
    for row in instruments:
        n_resp = session.execute(
            select(func.count()).where(Submission.campaign_id == campaign.id, Submission.instrument_id == row.id)
        ).scalar_one()
        if not n_resp:
            continue
        per_item = dict(
            session.execute(
                select(Answer.item_id, func.count())
                .join(Submission, Submission.id == Answer.submission_id)
                .where(Submission.campaign_id == campaign.id, Submission.instrument_id == row.id)
                .group_by(Answer.item_id)
            ).all()
        )
        definition = definition_of(row)
        reached = []
        for section in definition.sections:
            counts = [per_item.get(item.id, 0) for item in section.items]
            # Without per-respondent paths, "reached" is the best-answered item of the section: a
            # respondent who answered any item counts at most once there.
            reached.append((section, max(counts), sum(counts) / (n_resp * len(section.items))))
        for i, (section, n_reached, completion) in enumerate(reached):
            # Leaving the free-text section empty is not dropping out: compare with the next
            # section that has a closed question.
            later = [r for r in reached[i + 1 :] if any(item.type is not ItemType.text for item in r[0].items)]
            following = later[0][1] if later else n_reached
            title = section.title.get(lang) or section.title.get("en") or section.id
            out.append(SectionProgress(f"{row.key} v{row.version}", section.id, title, n_reached, completion,
                                       max(0, n_reached - following)))  # fmt: skip
    return out


def fieldwork(session: Session, campaign: Campaign, lang: str = "en", latest_quarantine: int = 20) -> Fieldwork:
    instruments = campaign_instruments(session, campaign)
    by_id = {row.id: row for row in instruments}
    latest: dict[str, Any] = {}
    for row in instruments:  # quotas name an instrument key: judge strata by its newest version
        if row.key not in latest or row.version > latest[row.key].version:
            latest[row.key] = row
    definitions = {key: definition_of(row) for key, row in latest.items()}
    encrypted = campaign.encrypted
    if encrypted:
        Stored, arrived = EncryptedSubmission, EncryptedSubmission.received_at  # language, dates: sealed
    else:
        Stored, arrived = Submission, Submission.submitted_at
    mine = Stored.campaign_id == campaign.id
    total = session.execute(select(func.count()).select_from(Stored).where(mine)).scalar_one()
    day = func.date(arrived)
    per_day_rows = session.execute(select(day, func.count()).where(mine).group_by(day).order_by(day)).all()
    days = suppress_group({date.fromisoformat(str(d)[:10]): n for d, n in per_day_rows})
    per_day = sorted(days.items())
    per_instrument: Counter[str] = Counter()
    for inst_id, n in session.execute(
        select(Stored.instrument_id, func.count()).where(mine).group_by(Stored.instrument_id)
    ).all():
        per_instrument[by_id[inst_id].key if inst_id in by_id else str(inst_id)] += n
    per_language = {} if encrypted else dict(
        session.execute(select(Submission.language, func.count()).where(mine).group_by(Submission.language)).all()
    )  # fmt: skip
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
        per_instrument=dict(sorted(suppress_group(per_instrument).items())),
        per_language=dict(sorted(suppress_group(per_language).items())),
        strata=_strata(session, campaign, definitions, {row.id: row.key for row in instruments}, lang),
        sections=[] if encrypted else _sections(session, campaign, instruments, lang),
        encrypted=encrypted,
        quarantined=sum(reasons.values()),
        quarantine_reasons=reasons.most_common(),
        quarantine_latest=[dict(r._mapping) for r in latest_rows],
    )
