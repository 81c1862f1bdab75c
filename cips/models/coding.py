"""Codes given to open answers: the model's suggestion and people's decisions, append-only.

What is coded is one open answer of a campaign (``answer_id``, ``campaign_id``), one
contribution of a saved briefing (``briefing_row_id``, ``briefing_id``), or one answer of an
encrypted campaign (``submission_uuid`` and ``item_id``, ``campaign_id``; below): exactly one
target is set (a check constraint), so all share this table, its guard and its queries.

One row per act of coding (the model suggesting, a reviewer deciding, a second coder checking,
a file imported back): rows are never changed or deleted by the app, so who decided what and
when stays readable. The answer's code is its latest ``reviewer``/``import`` row; the model's
suggestion stays beside it (agreement between the model and people is measured on both).

An encrypted campaign has no answer rows on the server, only sealed envelopes: its answers are
named by the envelope's uuid and the item, so that codes decided where the data was decrypted
come back as codes only, never with the answer's text.
"""

from __future__ import annotations

import uuid as uuid_lib
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, Index
from sqlmodel import Field, SQLModel

from cips.models.base import UTCDateTime, utcnow


class CodingSource(StrEnum):
    """Who coded: the model (stored as ``model:<digest>``, the fitted model's cache key), or people."""

    model = "model"
    reviewer = "reviewer"
    second_coder = "second_coder"
    imported = "import"


#: Sources whose latest row is the answer's decision (a second coder only checks agreement).
DECIDING_SOURCES = (CodingSource.reviewer.value, CodingSource.imported.value)


#: Exactly one target: a campaign's answer, a briefing's row, or an encrypted answer (uuid and item together).
ONE_TARGET = (
    "(CASE WHEN answer_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN briefing_row_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN submission_uuid IS NULL THEN 0 ELSE 1 END) = 1 AND (submission_uuid IS NULL) = (item_id IS NULL)"
)


class Coding(SQLModel, table=True):
    __table_args__ = (
        Index("ix_coding_answer_id_id", "answer_id", "id"),
        Index("ix_coding_briefing_row_id_id", "briefing_row_id", "id"),
        Index("ix_coding_sealed_answer", "campaign_id", "submission_uuid", "item_id"),
        CheckConstraint(ONE_TARGET, name="ck_coding_one_target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int | None = Field(default=None, foreign_key="answer.id", ondelete="CASCADE")
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True, ondelete="CASCADE")
    briefing_row_id: int | None = Field(default=None, foreign_key="briefing_row.id", ondelete="CASCADE")
    briefing_id: int | None = Field(default=None, foreign_key="briefing.id", index=True, ondelete="CASCADE")
    #: An encrypted campaign's answer (no answer row on the server): its envelope's uuid and the open item.
    submission_uuid: uuid_lib.UUID | None = None
    item_id: str | None = Field(default=None, max_length=64)
    #: Factor ids (``analysis.factors``), the primary first; ``["other"]`` when no factor applies.
    labels: list[str] = Field(sa_column=Column(JSON, nullable=False))
    primary: str = Field(max_length=32)
    #: ``model:<digest>``, ``reviewer``, ``second_coder`` or ``import``.
    source: str = Field(max_length=64, index=True)
    #: Who: an email, ``cli``, or None for the model.
    coder: str | None = Field(default=None, max_length=254)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: Model rows: distance of the nearest factor probability to its threshold (small = unsure),
    #: which orders the review queue least sure first.
    margin: float | None = None
    #: Model rows: the calibrated chance that the suggestion needs no correction
    #: (``analysis.adapt.confidence``); the queue puts the lowest first.
    confidence: float | None = None
    #: Model rows: why, per factor (codebook concepts found, strongest terms: ``FactorClassifier.explain``).
    evidence: dict[str, list[str]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
