"""Briefing input files: control characters pasted from Word, UTF-16 without a byte-order mark."""

from __future__ import annotations

import io
from dataclasses import replace

import docx
import pytest

from analysis.briefing import BriefingInputError, build_briefing, read_contributions, render_docx, render_markdown

PASTED = 'question,answer\nq1,"More training\x0bfor officers on ethics."\nq1,"Rotation\x0c of staff\x07\x00."\n'


def test_briefing_inputs_control_characters_become_line_breaks_or_are_removed() -> None:
    from analysis.briefing.inputs import clean_text

    rows = read_contributions(PASTED.encode("utf-8"), "vt.csv")
    assert [r.answer for r in rows] == ["More training\nfor officers on ethics.", "Rotation\n of staff."]
    assert clean_text("a\u2028b\u2029c\r\nd\re\tf\x1bg\x7fh\ufffe") == "a\nb\nc\nd\ne\tfgh"
    jsonl = b'{"question": "q1", "answer": "Plus de formation\\u000bdes agents", "contributor": "A\\u0001B"}\n'
    [row] = read_contributions(jsonl, "vt.jsonl")
    assert (row.answer, row.contributor) == ("Plus de formation\ndes agents", "AB")


def test_briefing_inputs_pasted_control_characters_render_in_docx_and_markdown(default_model) -> None:
    rows = read_contributions(PASTED.encode("utf-8"), "vt.csv")
    b = build_briefing(rows, lang="en", classifier=default_model, title="Brief\x0bing\x01")
    document = docx.Document(io.BytesIO(render_docx(b)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "More training" in text and "Rotation" in text
    md = render_markdown(b)
    assert "More training" in md and not any(ch in md for ch in "\x0b\x0c\x07\x00\x01")


def test_briefing_inputs_docx_never_receives_xml_invalid_characters(default_model) -> None:
    b = build_briefing([{"question": "q1\x02", "answer": "Training of staff\x0b on ethics\x1f."}], lang="fr",
                       classifier=default_model, title="Synthèse\x0b2026", meeting="Réunion\x00")  # fmt: skip
    assert (b.title, b.meeting, b.questions[0].heading) == ("Synthèse\n2026", "Réunion", "q1")
    # A briefing that did not go through the reader or build_briefing: the renderer cleans again.
    raw = replace(b, title="Synthèse\x0b2026", context=b.context + "\x0c", meeting="Réunion\x00")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(render_docx(raw))).paragraphs]
    assert paragraphs[0] == "Synthèse\n2026" and paragraphs[1] == "Réunion" and paragraphs[2] == b.context + "\n"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_briefing_inputs_ascii_utf16_without_bom_gets_the_utf16_hint(codec) -> None:
    data = "question,answer\nq1,More training for officers\n".encode(codec)
    data.decode("utf-8")  # valid UTF-8: only the NUL bytes give it away
    with pytest.raises(BriefingInputError, match=r"^c\.csv:1: not UTF-8 text \(it looks like UTF-16 without a "
                                                 r"byte-order mark\).*--encoding utf-16-le"):  # fmt: skip
        read_contributions(data, "c.csv")
    assert read_contributions(data, "c.csv", encoding=codec)[0].answer == "More training for officers"


def test_briefing_inputs_a_stray_nul_in_utf8_is_removed_not_refused() -> None:
    [row] = read_contributions(b"question,answer\nq1,Plus de formation\x00 des agents sur l'integrite\n", "c.csv")
    assert row.answer == "Plus de formation des agents sur l'integrite"
