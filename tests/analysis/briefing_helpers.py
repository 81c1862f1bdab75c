"""Helpers shared by the briefing tests (``test_briefing*.py``): the shipped example, walks over a briefing."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
CSV = DATA / "contributions.csv"
QUESTIONS = DATA / "questions.yaml"


def all_themes(b):
    for q in b.questions:
        yield from ((q, t) for t in q.themes)
        if q.other is not None:
            yield q, q.other
