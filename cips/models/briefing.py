"""Saved briefings: an uploaded consultation kept row by row, so that people can review its codes.

A briefing belongs to one administration; its contributions (``BriefingRow``) are stored as
read from the file (cleaned as the reader cleans them), in file order. Their codes are
``Coding`` rows like a campaign's answers (``Coding.briefing_row_id``), so the model's
suggestions, people's decisions, "the latest decision wins" and the append-only guard are the
same code for both.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from cips.models.base import UTCDateTime, utcnow


class Briefing(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    administration_id: int = Field(foreign_key="administration.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    meeting: str | None = Field(default=None, max_length=200)
    #: The briefing's language (``analysis.briefing.i18n.LANGUAGES``).
    lang: str = Field(max_length=8)
    #: The uploaded file's name, shown beside the title and in error messages of a rebuild.
    filename: str = Field(max_length=255)
    #: The questions file as read: ``[{"id": ..., "text": {lang: wording}}]``, in briefing order; None without one.
    questions: list[dict] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    #: Briefings have no second-coder sample (the review queue reads this as a campaign's share).
    second_coding_percent: ClassVar[int] = 0


class BriefingRow(SQLModel, table=True):
    """One contribution: an answer of one administration to one question."""

    __tablename__ = "briefing_row"

    id: int | None = Field(default=None, primary_key=True)
    briefing_id: int = Field(foreign_key="briefing.id", index=True, ondelete="CASCADE")
    #: 1-based line of the file the row was read from (error messages, file order).
    line: int
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer: str = Field(sa_column=Column(Text, nullable=False))
    contributor: str = Field(default="", sa_column=Column(Text, nullable=False))
    #: As the file gives it (en/fr/es/pt), else empty: the briefing detects it when it is built.
    lang: str = Field(default="", max_length=8)
    attributable: bool = False
