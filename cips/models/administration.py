"""A national customs administration taking part in the programme."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from cips.models.base import UTCDateTime, utcnow


class AdministrationBase(SQLModel):
    name: str = Field(max_length=200, unique=True)
    country_code: str | None = Field(default=None, max_length=3)


class Administration(AdministrationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
