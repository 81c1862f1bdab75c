"""Submissions, their answers, and the quarantine for bodies that could not be stored.

No IP address or user agent is stored anywhere here, on purpose: respondents
answer about corruption where they work.
"""

from __future__ import annotations

import uuid as uuid_lib
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cips.models.base import UTCDateTime, enum_column, utcnow


class SubmissionStatus(StrEnum):
    stored = "stored"


class SubmissionBase(SQLModel):
    uuid: uuid_lib.UUID = Field(unique=True)  # made by the client: retries are idempotent
    device_id: str | None = Field(default=None, max_length=64)
    language: str = Field(max_length=8)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_at: datetime = Field(sa_type=UTCDateTime)


class Submission(SubmissionBase, table=True):
    __table_args__ = (Index("ix_submission_campaign_received", "campaign_id", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    instrument_id: int = Field(foreign_key="instrument.id")
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: SubmissionStatus = Field(default=SubmissionStatus.stored, sa_type=enum_column(SubmissionStatus))
    #: SHA-256 of the canonical payload: tells a harmless retry from a conflicting reuse of a uuid.
    payload_hash: str = Field(max_length=64)
    #: Paradata per section id, ``{"s_lead": {"seconds": 41, "changes": 1}}``; NULL when the record
    #: carried none (no-JS form, an older app). The order of randomised sections is an answer
    #: (``order:<section>``), not repeated here. SQL NULL, not JSON null, for "none".
    paradata: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))


class Answer(SQLModel, table=True):
    """One answer: numbers (Likert, number) in ``value_num``, the rest in ``value_text``.

    Multiple-choice answers are stored as a JSON list in ``value_text``.
    """

    __table_args__ = (UniqueConstraint("submission_id", "item_id", name="uq_answer_submission_item"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", ondelete="CASCADE")
    item_id: str = Field(max_length=64)
    value_num: float | None = None
    value_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class QuarantinedSubmission(SQLModel, table=True):
    """A body the API refused, kept byte for byte so that nothing is ever lost."""

    __tablename__ = "quarantined_submission"

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    field: str | None = Field(default=None, max_length=200)
    status_code: int
    #: What the body claimed, when it could be read: lets a manager find a device's records.
    claimed_uuid: str | None = Field(default=None, max_length=64, index=True)
    claimed_campaign: str | None = Field(default=None, max_length=64, index=True)
    content_type: str | None = Field(default=None, max_length=200)
    body_size: int
    truncated: bool = False
    raw_body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
