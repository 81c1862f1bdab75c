"""Action plans: what an administration does about an unfavourable factor, followed to the next wave."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from analysis.actions import MeasureStatus
from cips.models.base import UTCDateTime, enum_column, utcnow


class ActionMeasure(SQLModel, table=True):
    """One measure, recorded against the campaign (wave) whose results called for it."""

    __tablename__ = "action_measure"
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    factor: str = Field(max_length=32)
    what: str = Field(sa_column=Column(Text, nullable=False))
    #: The unit or function in charge (not necessarily a person's name).
    owner: str = Field(max_length=200)
    due: date | None = None
    status: MeasureStatus = Field(default=MeasureStatus.planned, sa_type=enum_column(MeasureStatus))
    #: A link to evidence (a circular, a training record, a published report).
    evidence_url: str | None = Field(default=None, max_length=500)
    #: May be sent to the programme with the aggregate file (what, status and due date only).
    shared: bool = False
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
