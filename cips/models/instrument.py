"""A questionnaire version, stored with its validated definition."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from cips.models.base import UTCDateTime, utcnow


class InstrumentBase(SQLModel):
    key: str = Field(max_length=64, index=True)
    version: int
    title: str = Field(max_length=300)


class Instrument(InstrumentBase, table=True):
    """Versions are immutable: a changed definition needs a new version number."""

    __table_args__ = (UniqueConstraint("key", "version", name="uq_instrument_key_version"),)

    id: int | None = Field(default=None, primary_key=True)
    content_hash: str = Field(max_length=64)
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
