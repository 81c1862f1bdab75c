"""One-time invitation tokens for online campaigns.

Only a SHA-256 of each token is stored: the link itself is printed once for the
manager to distribute, so a copy of the database cannot be used to answer.
"""

from __future__ import annotations

import uuid as uuid_lib
from datetime import datetime

from sqlmodel import Field, SQLModel

from cips.models.base import UTCDateTime, utcnow


class InviteToken(SQLModel, table=True):
    __tablename__ = "invite_token"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: The submission that used the token: a retry of that same uuid is still accepted.
    used_by_uuid: uuid_lib.UUID | None = None
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: The ``cips campaign invite`` / campaign-page call that made it (1, 2, … per campaign): response
    #: rates are counted per batch of links handed out together.
    batch: int | None = None
    #: First time the link was opened (survey page fetched with it); nothing about who or from where.
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
