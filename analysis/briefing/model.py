"""The briefing as plain data: built by ``build``, drawn by ``chart``, written by ``render_docx``/``render_md``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BriefingQuote:
    """A verbatim excerpt of one answer (an exact substring of it).

    ``lang_note`` is set when the quote is in another language than the briefing;
    ``contributor`` only when the input says the quote may be attributed.
    """

    text: str
    lang: str
    lang_note: str | None = None
    contributor: str | None = None


@dataclass
class BriefingTheme:
    key: str  # a codebook concept id, or "factor:<id>" when no concept applies
    label: str  # short heading in the briefing language
    sentence: str  # the synthesis sentence, from a template
    support: int  # contributions (answers) with at least one point in the theme
    n_points: int
    factors: list[str]  # RAD factor ids (or "other"), most frequent first
    factor_names: list[str]
    concepts: list[str]
    quotes: list[BriefingQuote] = field(default_factory=list)
    # (index of the contribution in the input, length of the point in characters) of each point grouped here:
    # which answers a theme counts, for measuring a grouping against an editor's.
    members: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class BriefingQuestion:
    id: str
    heading: str
    n_contributions: int
    themes: list[BriefingTheme]  # ordered by support, largest first
    other: BriefingTheme | None = None  # points that fit no theme: quoted after the themes, no synthesis
    n_no_comment: int = 0  # "RAS", "no comment": counted, not themed
    #: Those answers quoted (grouping by meaning quotes every answer once): after the count, never as "points raised".
    no_comment_quotes: list[BriefingQuote] = field(default_factory=list)


@dataclass
class KeyMessage:
    key: str
    label: str
    support: int  # distinct contributions across all questions
    factor: str


@dataclass
class Briefing:
    lang: str
    title: str
    meeting: str | None
    context: str
    n_contributions: int
    n_contributors: int | None  # None when the file names no contributor
    languages: dict[str, int]
    questions: list[BriefingQuestion]
    key_messages: list[KeyMessage]
    method_note: str
    grouping: dict[str, str] = field(default_factory=dict)  # question id -> "topics" | "concepts" | "meaning"
    #: Contributions whose factors a person decided (a saved briefing's review); None when nobody reviewed.
    n_reviewed: int | None = None
