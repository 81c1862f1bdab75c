"""Helpers shared by the briefing tests (``test_briefing*.py``): the shipped example, walks over a briefing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from analysis.briefing import Contribution
from analysis.briefing.meaning import MAX_THEME

DATA = Path(__file__).resolve().parent.parent / "data"
CSV = DATA / "contributions.csv"
QUESTIONS = DATA / "questions.yaml"


def all_themes(b):
    for q in b.questions:
        yield from ((q, t) for t in q.themes)
        if q.other is not None:
            yield q, q.other


def quoted_once_each(b, items: list[Contribution]) -> None:
    """Every contribution is quoted exactly once, under a theme or "other points", by a substring of its answer."""
    for section in b.questions:
        answers = [c.answer for c in items if c.question in (section.id, section.heading)]
        quotes = [q.text for t in [*section.themes, *([section.other] if section.other else [])] for q in t.quotes]
        quotes += [q.text for q in section.no_comment_quotes]
        owner = []
        for quote in quotes:
            found = [k for k, a in enumerate(answers) if quote in a]
            assert found, f"{quote!r} is not verbatim from an answer to {section.id}"
            owner.append(found[0] if len(found) == 1 else tuple(found))
        # Same answer given twice (two administrations): each copy is quoted, so the count matches.
        assert len(quotes) == len(answers), (section.id, len(quotes), len(answers))
        single = Counter(o for o in owner if isinstance(o, int))
        assert all(n == 1 for n in single.values()), section.id
        for theme in section.themes:
            assert 1 <= len(theme.quotes) <= MAX_THEME
