"""Append-only record of who did what and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from cips.models.base import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=254)  # an email, or "cli" for commands run on the server
    action: str = Field(max_length=64, index=True)
    target: str | None = Field(default=None, max_length=254)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
