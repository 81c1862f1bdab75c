"""Submissions of encrypted campaigns, stored as the device sealed them.

The server can count them, tell a retry from a conflicting reuse of a uuid and
check the few plaintext strata a campaign declares, but it cannot read the
answers: only the holder of the campaign's private key can (``cips decrypt``).
As for plaintext submissions, no IP address or user agent is stored.
"""

from __future__ import annotations

import uuid as uuid_lib
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from cips.models.base import UTCDateTime, utcnow


class EncryptedSubmission(SQLModel, table=True):
    __tablename__ = "encrypted_submission"
    __table_args__ = (Index("ix_encrypted_submission_campaign_received", "campaign_id", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    uuid: uuid_lib.UUID = Field(unique=True)  # made by the client: retries are idempotent
    campaign_id: int = Field(foreign_key="campaign.id")
    instrument_id: int = Field(foreign_key="instrument.id")
    device_id: str | None = Field(default=None, max_length=64)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    alg: str = Field(max_length=64)
    #: The envelope's base64 fields, kept exactly as received (RSA-OAEP-wrapped AES key,
    #: AES-GCM nonce, AES-GCM ciphertext with its 16-byte tag at the end).
    key_wrapped: str = Field(sa_column=Column(Text, nullable=False))
    iv: str = Field(max_length=32)
    ciphertext: str = Field(sa_column=Column(Text, nullable=False))
    #: Plaintext strata the campaign declared (``{"bg_region": "north"}``), for live quotas.
    strata: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: SHA-256 of the canonical envelope: a retry (same bytes) from a conflicting reuse of a uuid.
    payload_hash: str = Field(max_length=64)
