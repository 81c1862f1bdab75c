"""What the fieldwork dashboard computes with its page: quality flags, factor indices, free-text codes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from cips.models import Campaign
from cips.services.datasets import load_campaign_data
from cips.services.indices import CampaignIndices, campaign_indices
from cips.services.quality import CampaignQuality, campaign_quality
from cips.services.review import FreeTextSummary, free_text_summary


@dataclass
class DashboardFigures:
    quality: CampaignQuality
    indices: CampaignIndices
    free_text: FreeTextSummary | None  # None: an encrypted campaign (its answers are sealed)


def dashboard_figures(session: Session, campaign: Campaign, lang: str, weighted: bool = True) -> DashboardFigures:
    """Flags, indices and codes read every answer: the campaign's data is read once for both the
    flags and the indices (each used to read it on its own, twice per page). An encrypted campaign
    has neither, and its data is not read."""
    data = None if campaign.encrypted else load_campaign_data(session, campaign, lang)
    return DashboardFigures(
        quality=campaign_quality(session, campaign, data),
        indices=campaign_indices(session, campaign, lang, weighted=weighted, data=data),
        free_text=None if campaign.encrypted else free_text_summary(session, campaign),
    )
