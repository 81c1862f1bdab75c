"""Factor indices for the dashboard: the report's own computation (``analysis.report.build.index_table``)
on the report's own input, so both pages print the same figures for the same questionnaire and factor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlmodel import Session

from cips.models import Campaign
from cips.services.datasets import CampaignData


@dataclass
class CampaignIndices:
    """Index, 95 % CI per questionnaire and factor (cells n<5 suppressed: ``display`` "n<5", figures NaN)."""

    weighted: bool  # the figures shown are weighted to the stored populations
    can_weight: bool  # the campaign has population sizes (else weighted and unweighted are the same)
    table: pd.DataFrame | None = None  # group, factor, index, ci_low, ci_high, display; None: no answer yet
    weighting: dict[str, Any] = field(default_factory=dict)  # per questionnaire: analysis.weights.WeightSummary
    representation: list[Any] = field(default_factory=list)  # analysis.report.model.Representation rows
    encrypted: bool = False


def campaign_indices(session: Session, campaign: Campaign, lang: str, weighted: bool = True,
                     data: CampaignData | None = None) -> CampaignIndices:  # fmt: skip
    """What the dashboard shows of the scores: weighted unless ``weighted`` is False (on request);
    ``data``: the campaign's data in ``lang``, when the caller read it already."""
    can_weight = any(campaign.populations.values()) if campaign.populations else False
    if campaign.encrypted:
        return CampaignIndices(weighted and can_weight, can_weight, encrypted=True)
    from analysis.report.build import index_table, representation
    from cips.services.reports import report_input

    inp = report_input(session, campaign, lang, weighted, context=False, data=data)
    if inp.respondents.empty:
        return CampaignIndices(weighted and can_weight, can_weight)
    _, table = index_table(inp)
    return CampaignIndices(bool(inp.weighting), can_weight, table, dict(inp.weighting),
                           representation(inp) if inp.weighting else [])  # fmt: skip
