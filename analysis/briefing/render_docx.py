"""The briefing as a Word document (python-docx), byte-for-byte reproducible.

Layout: Title, meeting (Subtitle), context paragraph, "Key messages" with the graphic,
then per question a Heading 1, and per theme a Heading 2, the synthesis sentence, the
Arusha factor(s) and the quotes in Word's "Quote" style.

Reproducibility: python-docx stamps core properties with the current time and writes
zip entries with the current time; both are replaced by a fixed date, so the same
briefing gives the same bytes (tests compare bytes).

XML cannot hold most control characters (lxml raises). The reader already removes them
(``inputs.clean_text``); every string is cleaned again here, since a briefing may be
built from dicts or given a title that did not go through the reader.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from docx import Document
from docx.shared import Cm, Pt, RGBColor

from analysis.briefing import i18n
from analysis.briefing.chart import key_messages_png
from analysis.briefing.inputs import clean_text as _x
from analysis.briefing.model import Briefing, BriefingQuote
from analysis.briefing.render_md import factor_line, quote_parts

#: Stamped as created/modified date and on every zip entry (not the build time: see the module docstring).
FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
_GREY = RGBColor(0x59, 0x59, 0x59)


def _quotes(doc, quotes: list[BriefingQuote], lang: str) -> None:
    for quote in quotes:
        opening, text, tail = quote_parts(quote, lang)
        paragraph = doc.add_paragraph(style="Quote")
        paragraph.add_run(_x(opening))
        paragraph.add_run(_x(text))
        note = paragraph.add_run(_x(tail))
        note.italic = False
        note.font.color.rgb = _GREY


def _normalise_zip(data: bytes) -> bytes:
    """Same entries, same order, fixed timestamps."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def render_docx(briefing: Briefing) -> bytes:
    lang = briefing.lang
    doc = Document()
    props = doc.core_properties
    props.title = _x(briefing.title)
    props.author = props.last_modified_by = "CIPS"
    props.language = lang
    props.created = props.modified = FIXED_DATE
    props.revision = 1
    doc.styles["Normal"].font.size = Pt(11)

    doc.add_paragraph(_x(briefing.title), style="Title")
    if briefing.meeting:
        doc.add_paragraph(_x(briefing.meeting), style="Subtitle")
    doc.add_paragraph(_x(briefing.context))
    if briefing.key_messages:
        doc.add_heading(i18n.s(lang, "key_messages"), level=1)
        doc.add_picture(io.BytesIO(key_messages_png(briefing)), width=Cm(15.5))
        doc.add_paragraph(i18n.s(lang, "key_messages_note"), style="Caption")
    for question in briefing.questions:
        doc.add_heading(_x(question.heading), level=1)
        if not question.n_contributions:
            doc.add_paragraph(i18n.s(lang, "no_contribution"))
            continue
        count = doc.add_paragraph().add_run(i18n.count(lang, "answers_to", question.n_contributions))
        count.italic, count.font.color.rgb = True, _GREY
        for theme in question.themes:
            doc.add_heading(_x(theme.label), level=2)
            doc.add_paragraph(_x(theme.sentence))
            factors = doc.add_paragraph().add_run(_x(factor_line(theme, lang)))
            factors.italic, factors.font.size, factors.font.color.rgb = True, Pt(9), _GREY
            _quotes(doc, theme.quotes, lang)
        if question.other is not None:
            doc.add_paragraph(_x(question.other.sentence))
            _quotes(doc, question.other.quotes, lang)
        if question.n_no_comment:
            doc.add_paragraph(i18n.count(lang, "no_comment", question.n_no_comment))
            _quotes(doc, question.no_comment_quotes, lang)
    note = doc.add_paragraph()
    note.add_run(f"{i18n.s(lang, 'method')}. ").bold = True
    note.add_run(briefing.method_note).italic = True
    buffer = io.BytesIO()
    doc.save(buffer)
    return _normalise_zip(buffer.getvalue())
