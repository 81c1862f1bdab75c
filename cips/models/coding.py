"""Codes given to open answers: the model's suggestion and people's decisions, append-only.

What is coded is one open answer of a campaign (``answer_id``, ``campaign_id``) or one
contribution of a saved briefing (``briefing_row_id``, ``briefing_id``): exactly one of the two
targets is set (a check constraint), so both share this table, its guard and its queries.

One row per act of coding (the model suggesting, a reviewer deciding, a second coder checking,
a file imported back): rows are never changed or deleted by the app, so who decided what and
when stays readable. The answer's code is its latest ``reviewer``/``import`` row; the model's
suggestion stays beside it (agreement between the model and people is measured on both).
"""

from __future__ import annotations

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


class Coding(SQLModel, table=True):
    __table_args__ = (
        Index("ix_coding_answer_id_id", "answer_id", "id"),
        Index("ix_coding_briefing_row_id_id", "briefing_row_id", "id"),
        CheckConstraint("(answer_id IS NULL) <> (briefing_row_id IS NULL)", name="ck_coding_one_target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int | None = Field(default=None, foreign_key="answer.id", ondelete="CASCADE")
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True, ondelete="CASCADE")
    briefing_row_id: int | None = Field(default=None, foreign_key="briefing_row.id", ondelete="CASCADE")
    briefing_id: int | None = Field(default=None, foreign_key="briefing.id", index=True, ondelete="CASCADE")
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
    #: Model rows: why, per factor (codebook concepts found, strongest terms: ``FactorClassifier.explain``).
    evidence: dict[str, list[str]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
