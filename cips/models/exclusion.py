"""A manager's decision to set a submission aside, kept beside the record, never in it.

The stored submission and its answers are never changed or deleted: an exclusion is a row
here (why, by whom, when), and every figure of the campaign (exports, scores, report,
dashboard) leaves out the submissions that have one. Reinstating deletes the row; the audit
log keeps both decisions.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from cips.models.base import UTCDateTime, enum_column, utcnow


class ExclusionCategory(StrEnum):
    """Why a record is set aside: the categories the report and exports count."""

    test = "test"  # a test or training record (the enumerator trying the tablet)
    duplicate = "duplicate"  # the same interview sent twice under two uuids
    fabricated = "fabricated"  # suspected fabrication (an interview that did not take place)
    careless = "careless"  # speeding, straight-lining, nonsense answers
    ineligible = "ineligible"  # the respondent is outside the surveyed population
    other = "other"


class SubmissionExclusion(SQLModel, table=True):
    __tablename__ = "submission_exclusion"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", unique=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    category: ExclusionCategory = Field(sa_type=enum_column(ExclusionCategory))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    excluded_by: str = Field(max_length=254)  # an email, or "cli"
    excluded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
