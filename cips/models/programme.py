"""The programme instance's side: registered administrations and the aggregate files they sent.

Only suppressed aggregates are stored (see ``analysis.aggregates``): no microdata, no free text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from cips.models.base import UTCDateTime, utcnow


class ProgrammeMember(SQLModel, table=True):
    """An administration whose signed files this instance accepts."""

    __tablename__ = "programme_member"
    id: int | None = Field(default=None, primary_key=True)
    #: The administration's name as the programme knows it; shown only when ``named``.
    name: str = Field(max_length=200, unique=True)
    #: What observers see instead of the name ("Administration 07"), fixed at registration.
    label: str = Field(max_length=40, unique=True)
    #: The administration agreed to be named in comparisons.
    named: bool = False
    public_key: str = Field(max_length=60, unique=True)
    key_id: str = Field(max_length=16, unique=True, index=True)
    registered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AggregateImport(SQLModel, table=True):
    """One verified aggregate file: its document as signed, kept whole."""

    __tablename__ = "aggregate_import"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="programme_member.id", index=True)
    campaign: str = Field(max_length=200)
    wave: int
    level: str = Field(max_length=64)
    #: SHA-256 of the signed bytes: the same file imported twice is refused.
    digest: str = Field(max_length=64, unique=True)
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
