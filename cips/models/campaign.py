"""A survey campaign: one administration, one wave, one or more instruments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from cips.models.base import UTCDateTime, enum_column, utcnow

#: Days after closing during which a record finished before closing is still accepted, by default and at most.
LATE_GRACE_DAYS = 30
MAX_LATE_GRACE_DAYS = 365


class CampaignMode(StrEnum):
    station = "station"  # tablets handed from one respondent to the next
    online = "online"  # respondents answer on their own device, by link


class CampaignStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class CampaignInstrument(SQLModel, table=True):
    """Which instrument versions a campaign accepts (old tablets may still send v1)."""

    __tablename__ = "campaign_instrument"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True, ondelete="CASCADE")
    instrument_id: int = Field(foreign_key="instrument.id", primary_key=True)


#: Longest campaign name (the column's size; the form says it and refuses longer, never cuts).
NAME_MAX = 200


class CampaignBase(SQLModel):
    slug: str = Field(max_length=64, unique=True, regex=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str = Field(max_length=NAME_MAX)
    wave: int = Field(default=1, ge=1)
    mode: CampaignMode = Field(default=CampaignMode.station, sa_type=enum_column(CampaignMode))
    status: CampaignStatus = Field(default=CampaignStatus.open, sa_type=enum_column(CampaignStatus))
    languages: list[str] = Field(default_factory=lambda: ["en"], sa_column=Column(JSON, nullable=False))
    opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: Target sample per stratum: ``{instrument_key: {"item=value[,item=value]": target}}``.
    quotas: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: Population size per stratum when known, same keys as ``quotas``: it narrows the margin
    #: of error (finite population correction) shown on the fieldwork dashboard.
    populations: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: Online mode: refuse submissions that carry no valid one-time invitation token.
    #: An explicit flag rather than "once any token exists": issuing a first batch of
    #: invitations must not silently lock out people already holding the open link.
    invite_only: bool = False
    #: End-to-end encryption (``cips campaign create --encrypt``): devices seal each finished
    #: submission to ``public_key`` (SPKI PEM, RSA-OAEP-3072); the private key and its
    #: passphrase never reach the server. See ``cips.crypto``.
    encrypted: bool = False
    public_key: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    #: Strata items an encrypted campaign lets devices send in clear beside the envelope, for
    #: live quotas (a documented trade-off: the server can read these, and only these).
    plaintext_strata: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: Days after closing during which records finished before closing are still accepted
    #: (tablets that sync late); see ``cips.submissions.window``.
    late_grace_days: int = Field(default=LATE_GRACE_DAYS, ge=0, le=MAX_LATE_GRACE_DAYS)


class CampaignCreate(CampaignBase):
    administration: str
    instruments: list[str]  # "key" or "key:version"


class Campaign(CampaignBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    administration_id: int = Field(foreign_key="administration.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: Enumerator PIN of a station campaign, as werkzeug ``pbkdf2:sha256:N$salt$hex``.
    #: PBKDF2 (not werkzeug's default scrypt) because tablets check it offline with
    #: WebCrypto, which has no scrypt. See ``cips.services.station``.
    station_pin_hash: str | None = Field(default=None, max_length=200)
    #: When the status became closed (or the closing date, if that came first); None unless closed.
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: Share (0-100 %) of the reviewed open answers a second coder codes again, blind to the
    #: first decision, to measure agreement (``cips.services.review``).
    second_coding_percent: int = Field(default=0)
