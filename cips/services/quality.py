"""Quality flags of a campaign's records (``analysis.quality``) for the dashboard and the review list.

The flags are signs for a person to look at, never a decision: nothing here excludes a
record (``cips.services.exclusions`` does, when a manager asks). Excluded records are not
flagged again (they are in the exclusions list). Encrypted campaigns have no flags: their
answers are sealed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from analysis.privacy import suppress
from analysis.quality import FLAGS, QualityFlags, durations, quality_flags
from cips.models import Campaign, CampaignMode, Submission
from cips.services.datasets import CampaignData, load_campaign_data
from cips.services.exclusions import counted


@dataclass
class FlaggedRecord:
    uuid: str
    instrument: str
    submitted_at: datetime
    minutes: float | None
    flags: list[str]


@dataclass
class CampaignQuality:
    flags: QualityFlags = field(default_factory=QualityFlags)
    records: list[FlaggedRecord] = field(default_factory=list)  # flagged ones, newest first
    encrypted: bool = False

    def shown_counts(self) -> dict[str, int | None]:
        """Records per flag as the dashboard may show them: 1 to 4 are ``None`` (n<5)."""
        return {flag: suppress(n) for flag, n in self.flags.counts().items()}


def campaign_quality(session: Session, campaign: Campaign, data: CampaignData | None = None) -> CampaignQuality:
    """The flags of the campaign's counted records (``data``: its data, when the caller read it already)."""
    if campaign.encrypted:
        return CampaignQuality(encrypted=True)
    data = data if data is not None else load_campaign_data(session, campaign)
    if data.respondents.empty:
        return CampaignQuality()
    extra = pd.DataFrame(
        session.execute(select(Submission.uuid, Submission.device_id, Submission.started_at, Submission.paradata)
                        .where(counted(campaign.id))).all(),
        columns=["respondent", "device_id", "started_at", "paradata"],
    )  # fmt: skip
    extra["respondent"] = extra["respondent"].astype(str)
    # Time on the section pages, from the paradata (NaN: the record carried none).
    extra["active_seconds"] = extra.pop("paradata").map(
        lambda p: float(sum(e["seconds"] for e in p.values())) if p else float("nan")
    )
    records = data.respondents[["respondent", "instrument", "submitted_at"]].merge(extra, on="respondent")
    flags = quality_flags(records, data.answers, data.items, station=campaign.mode is CampaignMode.station)
    minutes = durations(records) / 60
    by_respondent = flags.by_respondent
    rows = [FlaggedRecord(r.respondent, r.instrument, r.submitted_at,
                          None if pd.isna(minutes.get(r.respondent)) else float(minutes[r.respondent]),
                          by_respondent[r.respondent])
            for r in records.itertuples() if r.respondent in by_respondent]  # fmt: skip
    rows.sort(key=lambda row: row.submitted_at, reverse=True)
    return CampaignQuality(flags, rows)


__all__ = ["FLAGS", "CampaignQuality", "FlaggedRecord", "campaign_quality"]
