"""The briefing's documents: Word and Markdown structure, the key-messages graphic, same input same bytes."""

from __future__ import annotations

import io
import re

import docx
import pytest

from analysis.briefing import build_briefing, render_docx, render_markdown
from analysis.briefing.chart import key_messages_png, key_messages_svg
from analysis.briefing.render_docx import FIXED_DATE
from analysis.briefing.render_md import md_text
from tests.analysis.briefing_helpers import all_themes

pytestmark = pytest.mark.usefixtures("tfidf_embeddings")


def test_briefing_same_input_gives_the_same_bytes(contributions, questions, default_model, briefing) -> None:
    again = build_briefing(contributions, lang="fr", questions=questions, meeting="Réunion de test",
                           classifier=default_model)  # fmt: skip
    assert render_docx(again) == render_docx(briefing)
    assert render_markdown(again) == render_markdown(briefing)
    assert key_messages_png(again) == key_messages_png(briefing)
    assert key_messages_svg(again) == key_messages_svg(briefing)


def test_briefing_docx_opens_with_title_headings_quotes_and_graphic(briefing) -> None:
    document = docx.Document(io.BytesIO(render_docx(briefing)))
    by_style: dict[str, list[str]] = {}
    for p in document.paragraphs:
        by_style.setdefault(p.style.name, []).append(p.text)
    assert by_style["Title"] == [briefing.title]
    assert by_style["Subtitle"] == ["Réunion de test"]
    assert by_style["Heading 1"] == ["Messages clés"] + [q.heading for q in briefing.questions]
    assert by_style["Heading 2"] == [t.label for q in briefing.questions for t in q.themes]
    n_quotes = sum(len(t.quotes) for _, t in all_themes(briefing)) + sum(len(q.no_comment_quotes)
                                                                       for q in briefing.questions)  # fmt: skip
    assert len(by_style["Quote"]) == n_quotes
    assert len(document.inline_shapes) == 1
    assert "67 contributions" in briefing.context and briefing.context in by_style["Normal"]
    assert (
        document.core_properties.created == FIXED_DATE.replace(tzinfo=None)
        or document.core_properties.created == FIXED_DATE
    )


def test_briefing_markdown_structure(briefing, contributions) -> None:
    md = render_markdown(briefing, graphic="key.svg")
    lines = md.splitlines()
    assert [ln for ln in lines if ln.startswith("# ")] == [f"# {md_text(briefing.title)}"]
    assert [ln[3:] for ln in lines if ln.startswith("## ")] == [md_text(q.heading) for q in briefing.questions]
    assert [ln[4:] for ln in lines if ln.startswith("### ")] == [md_text(t.label) for q in briefing.questions
                                                                   for t in q.themes]  # fmt: skip
    assert "![Messages clés](key.svg)" in md
    quote_lines = [ln for ln in lines if ln.startswith("> ")]
    assert len(quote_lines) == sum(len(t.quotes) for _, t in all_themes(briefing)) + sum(
        len(q.no_comment_quotes) for q in briefing.questions)  # fmt: skip
    answers = [md_text(c.answer) for c in contributions]
    for line in quote_lines:
        text = re.match(r"> «\u00a0(.*)\u00a0»", line).group(1)
        assert any(text in a for a in answers), line
    for q in briefing.questions:
        for theme in q.themes:
            assert md_text(theme.sentence) in lines


def test_briefing_contributors_are_named_only_when_attributable(briefing, contributions) -> None:
    attributable = {c.contributor for c in contributions if c.attributable}
    anonymous = {c.contributor for c in contributions} - attributable
    assert attributable and anonymous
    document = docx.Document(io.BytesIO(render_docx(briefing)))
    text = render_markdown(briefing) + "\n".join(p.text for p in document.paragraphs)
    for name in anonymous:
        assert name not in text
    named = [(q, quote) for q, t in all_themes(briefing) for quote in t.quotes if quote.contributor]
    assert named
    for q, quote in named:
        assert any(c.attributable and c.contributor == quote.contributor and quote.text in c.answer
                   for c in contributions if c.question == q.id)  # fmt: skip


def test_briefing_key_messages_graphic(briefing) -> None:
    supports = [m.support for m in briefing.key_messages]
    assert supports == sorted(supports, reverse=True) and 1 <= len(supports) <= 8
    assert key_messages_png(briefing).startswith(b"\x89PNG")
    svg = key_messages_svg(briefing)
    assert "<dc:date>" not in svg and briefing.key_messages[0].label.split()[0] in svg
