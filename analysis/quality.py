"""Quality flags of survey records: signs of careless or fabricated interviews, never a verdict.

Pure functions over plain frames (no database, no Flask). Each returns the set of respondents
(submission uuids) it flags; a person decides what to do with them (the app's review list
offers to exclude a record with a reason, and never excludes one by itself). The thresholds
are module constants, documented where they are defined; the references are the checks that
survey platforms run on interviews: SurveyCTO's speed violations and text audits, ODK's audit
log, and the survey-methods literature on speeding and straight-lining (e.g. Greszki, Meyer &
Schoen 2015 on speeders at a fraction of the median time; Kim et al. 2019 on straight-lining
in grids).

Frames (those of ``cips.services.datasets`` plus a few columns of the submission):

- ``records``: one row per respondent: ``respondent`` (uuid), ``instrument``, ``device_id``,
  ``started_at``, ``submitted_at`` (tz-aware datetimes; ``started_at`` may be missing), and
  optionally ``active_seconds`` (the paradata's time on the section pages, NaN when not sent);
- ``answers``: ``respondent``, ``item_id``, ``value`` (numbers), ``text``;
- ``items``: ``instrument``, ``item_id``, ``type``, ``factor``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Speeder: finished in less than this share of the median duration of its questionnaire.
#: 0.4 sits in the 30-50 % band used in the literature; the demo's honest interviews take
#: 7 to 28 minutes (median about 17), so a 2-minute interview is flagged and no honest one is.
SPEED_SHARE = 0.4
#: A median needs a few interviews to mean anything: below this many durations, no speeder flag.
SPEED_MIN_RECORDS = 5
#: Straight-lining: a Likert block (the items of one factor) counts when the respondent
#: answered at least this many of its items, all with the same value.
STRAIGHT_MIN_ITEMS = 3
#: ... and the respondent is flagged when at least this share of their counted blocks, and at
#: least ``STRAIGHT_MIN_BLOCKS`` blocks, are straight-lined (one flat block happens honestly).
STRAIGHT_SHARE = 0.8
STRAIGHT_MIN_BLOCKS = 3
#: Near-duplicate: two records of one device and questionnaire whose answers agree on at least
#: this share of the items either answered, over at least ``DUPLICATE_MIN_ITEMS`` items.
DUPLICATE_SHARE = 0.95
DUPLICATE_MIN_ITEMS = 10
#: Burst (station mode): at least this many records of one device finished within one median
#: interview duration of their questionnaire: more interviews than one tablet can hold.
BURST_COUNT = 3
#: Copied open answer: the same text (case, spacing and punctuation aside) of at least this many
#: characters from two or more respondents. Short answers ("nothing", "rien") repeat honestly.
COPY_MIN_CHARS = 25

FLAGS = ("speeder", "straight_lining", "near_duplicate", "burst", "copied_text")


@dataclass
class QualityFlags:
    """Per flag, the respondents it flags; ``by_respondent`` inverts it."""

    flagged: dict[str, set[str]] = field(default_factory=dict)

    @property
    def by_respondent(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for flag in FLAGS:
            for respondent in sorted(self.flagged.get(flag, ())):
                out.setdefault(respondent, []).append(flag)
        return out

    def counts(self) -> dict[str, int]:
        return {flag: len(self.flagged.get(flag, ())) for flag in FLAGS}


def durations(records: pd.DataFrame) -> pd.Series:
    """Seconds from ``started_at`` to ``submitted_at`` per respondent (NaN when unknown or negative)."""
    seconds = (pd.to_datetime(records["submitted_at"], utc=True)
               - pd.to_datetime(records["started_at"], utc=True)).dt.total_seconds()  # fmt: skip
    return pd.Series(seconds.where(seconds >= 0).to_numpy(), index=records["respondent"].to_numpy(), dtype=float)


def speed_durations(records: pd.DataFrame) -> pd.Series:
    """The durations the speeder flag compares, per respondent.

    Per questionnaire, the paradata's active seconds (time on the section pages, without the
    consent and review pages or a tablet left asleep) when every record of it has them; else the
    time from start to submit. Never a mix within one questionnaire: active time is shorter than
    elapsed time, so a record measured one way would be compared with a median of the other.
    """
    wall = durations(records)
    if "active_seconds" not in records:
        return wall
    active = pd.Series(records["active_seconds"].to_numpy(dtype=float), index=wall.index)
    instrument = pd.Series(records["instrument"].to_numpy(), index=wall.index)
    complete = active.notna().groupby(instrument).transform("all")
    return active.where(complete, wall)


def _median_durations(records: pd.DataFrame, seconds: pd.Series | None = None) -> pd.Series:
    """Median duration per questionnaire, only where at least SPEED_MIN_RECORDS durations are known."""
    seconds = durations(records) if seconds is None else seconds
    by = pd.Series(records["instrument"].to_numpy(), index=seconds.index)
    grouped = seconds.groupby(by)
    return grouped.median()[grouped.count() >= SPEED_MIN_RECORDS]


def _yardsticks(records: pd.DataFrame, seconds: pd.Series | None = None) -> pd.Series:
    """Per respondent, the median duration its record is judged against (NaN: too few to judge).

    That of its questionnaire's records from the *other* devices when they have at least
    SPEED_MIN_RECORDS durations: a device's own interviews must not set the yardstick, or one
    enumerator who fills most of the early interviews at a run pulls the median down to their
    own pace and none of them looks fast. Otherwise the median of every record. ``seconds``:
    the durations compared (default: start to submit).
    """
    seconds = durations(records) if seconds is None else seconds
    instruments = records["instrument"].to_numpy()
    out = pd.Series(records["instrument"].map(_median_durations(records, seconds)).to_numpy(), index=seconds.index)
    if "device_id" not in records:
        return out
    devices = records["device_id"].to_numpy()
    for (device, instrument), group in records.dropna(subset=["device_id"]).groupby(["device_id", "instrument"]):
        others = seconds[(instruments == instrument) & (devices != device)].dropna()
        if len(others) >= SPEED_MIN_RECORDS:
            out[group["respondent"].to_numpy()] = others.median()
    return out


def speeders(records: pd.DataFrame, share: float = SPEED_SHARE) -> set[str]:
    """Respondents who finished in less than ``share`` of their questionnaire's median duration
    (active time when the questionnaire's records all carry paradata: :func:`speed_durations`;
    the median of the other devices' interviews: :func:`_yardsticks`)."""
    seconds = speed_durations(records)
    return set(seconds.index[(seconds < _yardsticks(records, seconds) * share).to_numpy()])


def straight_liners(answers: pd.DataFrame, items: pd.DataFrame, records: pd.DataFrame) -> set[str]:
    """Respondents who gave one same value to every item of most Likert blocks (see the thresholds)."""
    likert = items[items["type"] == "likert5"][["instrument", "item_id", "factor"]]
    rated = answers.dropna(subset=["value"]).merge(records[["respondent", "instrument"]], on="respondent")
    rated = rated.merge(likert, on=["instrument", "item_id"])
    if rated.empty:
        return set()
    blocks = rated.groupby(["respondent", "factor"])["value"].agg(["count", "nunique"])
    blocks = blocks[blocks["count"] >= STRAIGHT_MIN_ITEMS]
    flat = (blocks["nunique"] == 1).groupby(level="respondent").agg(["sum", "count"])
    hit = (flat["sum"] >= STRAIGHT_MIN_BLOCKS) & (flat["sum"] >= STRAIGHT_SHARE * flat["count"])
    return set(flat.index[hit])


def _answer_matrix(answers: pd.DataFrame, respondents: Iterable[str]) -> pd.DataFrame:
    """Respondent x item, each answer as one comparable string (number or text), NaN when unanswered."""
    mine = answers[answers["respondent"].isin(list(respondents))]
    as_text = mine["value"].map(lambda v: f"{v:g}" if pd.notna(v) else None).fillna(mine["text"])
    return (mine.assign(answer=as_text).dropna(subset=["answer"])
            .pivot_table(index="respondent", columns="item_id", values="answer", aggfunc="first"))  # fmt: skip


def near_duplicates(answers: pd.DataFrame, records: pd.DataFrame) -> set[str]:
    """Both records of each pair from one device and questionnaire with near-identical answers."""
    out: set[str] = set()
    known = records.dropna(subset=["device_id"])
    for _, group in known.groupby(["device_id", "instrument"]):
        if len(group) < 2:
            continue
        matrix = _answer_matrix(answers, group["respondent"])
        values = matrix.to_numpy(dtype=object)
        present = ~pd.isna(matrix).to_numpy()
        names = list(matrix.index)
        for i in range(len(names)):
            # Items either record answered; equal where both answered the same.
            either = present[i] | present[i + 1 :]
            same = (values[i] == values[i + 1 :]) & present[i] & present[i + 1 :]
            n_either = either.sum(axis=1)
            close = (n_either >= DUPLICATE_MIN_ITEMS) & (same.sum(axis=1) >= DUPLICATE_SHARE * n_either)
            for j in np.flatnonzero(close):
                out.update((names[i], names[i + 1 + j]))
    return out


def bursts(records: pd.DataFrame) -> set[str]:
    """Records of one device of which ``BURST_COUNT`` or more were finished within one median duration.

    Meant for station campaigns, where one tablet carries one interview at a time; the caller
    passes only those (online respondents have no shared device). The median is that of the
    other devices' interviews (:func:`_yardsticks`), so a device that filled most of them cannot
    widen its own allowance.
    """
    yardsticks = _yardsticks(records)
    out: set[str] = set()
    known = records.dropna(subset=["device_id"])
    for _, group in known.groupby(["device_id", "instrument"]):
        window = yardsticks.get(group["respondent"].iloc[0])
        if window is None or pd.isna(window) or len(group) < BURST_COUNT:
            continue
        ordered = group.assign(t=pd.to_datetime(group["submitted_at"], utc=True)).sort_values("t")
        times = (ordered["t"] - ordered["t"].iloc[0]).dt.total_seconds().to_numpy()  # unit-safe seconds
        names = ordered["respondent"].to_numpy()
        for end in range(BURST_COUNT - 1, len(times)):
            start = end - BURST_COUNT + 1
            if times[end] - times[start] < window:
                out.update(names[start : end + 1])
    return out


def _normalised(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def copied_texts(answers: pd.DataFrame, items: pd.DataFrame, records: pd.DataFrame,
                 min_chars: int = COPY_MIN_CHARS) -> set[str]:  # fmt: skip
    """Respondents whose open answer (long enough) is word for word another respondent's."""
    open_items = items[items["type"] == "text"][["instrument", "item_id"]]
    texts = answers.dropna(subset=["text"]).merge(records[["respondent", "instrument"]], on="respondent")
    texts = texts.merge(open_items, on=["instrument", "item_id"])
    norm = texts["text"].map(_normalised)
    texts = texts.assign(norm=norm)[norm.str.len() >= min_chars]
    shared = texts.groupby("norm")["respondent"].nunique()
    return set(texts[texts["norm"].isin(shared.index[shared >= 2])]["respondent"])


def quality_flags(records: pd.DataFrame, answers: pd.DataFrame, items: pd.DataFrame,
                  station: bool = True) -> QualityFlags:  # fmt: skip
    """Every flag over one campaign; ``station``: bursts are looked for (one device, many interviews)."""
    flagged = {
        "speeder": speeders(records),
        "straight_lining": straight_liners(answers, items, records),
        "near_duplicate": near_duplicates(answers, records),
        "burst": bursts(records) if station else set(),
        "copied_text": copied_texts(answers, items, records),
    }
    return QualityFlags(flagged)
