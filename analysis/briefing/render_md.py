"""The briefing as Markdown: ``#`` title, ``##`` per question, ``###`` per theme, ``> `` per quote.

Every text that comes from the input (quotes, contributors, question headings, theme
labels made from answers) or from the person who built the briefing (title, meeting) is
escaped (``md_text``): a quote is verbatim *text*, so ``<script>``, ``[x](javascript:…)``,
``![](https://tracker/…)`` or a ``*`` typed by a contributor must render as those
characters, never as HTML, a link, a remote image or emphasis. ``<``, ``>`` and ``&``
become HTML entities (which every Markdown dialect decodes, and which stop raw HTML
even where a backslash escape would not, as in Python-Markdown); the characters that
Markdown reads as markup get a backslash (CommonMark: any ASCII punctuation may be
escaped): ``\\ ` * _ { } [ ] ( ) ! | ~ $ #`` anywhere, ``- + =`` and ``1.``/``1)`` at the
start of a line. The reader of the rendered page sees the exact quote.
"""

from __future__ import annotations

import re

from analysis.briefing import i18n
from analysis.briefing.model import Briefing, BriefingQuote, BriefingTheme

#: Opening and closing quotation marks per briefing language (French: guillemets with no-break spaces).
QUOTE_MARKS = {"en": ("\u201c", "\u201d"), "fr": ("«\u00a0", "\u00a0»"), "es": ("«", "»"), "pt": ("\u201c", "\u201d")}


_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
#: Markup anywhere in a line: emphasis, code, links and images, tables, strike-through, math, headings' "#".
_INLINE = re.compile(r"([\\`*_{}\[\]()!|~$#])")
#: Markup only at the start of a line: list items ("-", "+", "1." or "1)"), setext underlines ("===").
_LINE_START = re.compile(r"^([ \t]*)(?:([-+=])|(\d+)([.)]))", re.MULTILINE)


def md_text(text: str) -> str:
    """``text`` as Markdown that renders as exactly these characters (see the module docstring)."""
    text = "".join(_HTML.get(ch, ch) for ch in _INLINE.sub(r"\\\1", text))
    return _LINE_START.sub(lambda m: m[1] + (f"\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}"), text)


def quote_parts(quote: BriefingQuote, lang: str) -> tuple[str, str, str]:
    """(opening mark, verbatim text, closing mark and notes): the renderers share one quote layout."""
    opening, closing = QUOTE_MARKS.get(lang, QUOTE_MARKS["en"])
    tail = closing
    if quote.lang_note:
        tail += f" ({quote.lang_note})"
    if quote.contributor:
        tail += f" — {quote.contributor}"
    return opening, quote.text, tail


def factor_line(theme: BriefingTheme, lang: str) -> str:
    key = "factors" if len(theme.factor_names) > 1 else "factor"
    return f"{i18n.s(lang, key)}{' :' if lang == 'fr' else ':'} {', '.join(theme.factor_names)}"


def _quotes(lines: list[str], quotes: list[BriefingQuote], lang: str) -> None:
    for quote in quotes:
        opening, text, tail = quote_parts(quote, lang)
        # A multi-line quote stays one blockquote.
        body = "\n> ".join(f"{opening}{md_text(text)}{md_text(tail)}".split("\n"))
        lines += [f"> {body}", ""]


def render_markdown(briefing: Briefing, graphic: str | None = None) -> str:
    """Markdown text; ``graphic`` is the file name of the key-messages image to link, if written beside it."""
    lang = briefing.lang
    lines = [f"# {md_text(briefing.title)}", ""]
    if briefing.meeting:
        lines += [f"*{md_text(briefing.meeting)}*", ""]
    lines += [md_text(briefing.context), ""]
    if briefing.key_messages:
        lines += [f"**{i18n.s(lang, 'key_messages')}**", ""]
        if graphic:
            lines += [f"![{i18n.s(lang, 'key_messages')}]({graphic})", ""]
        lines += [f"- {md_text(m.label)} ({m.support})" for m in briefing.key_messages] + [""]
    for question in briefing.questions:
        lines += [f"## {md_text(question.heading)}", ""]
        if not question.n_contributions:
            lines += [i18n.s(lang, "no_contribution"), ""]
            continue
        lines += [f"*{i18n.count(lang, 'answers_to', question.n_contributions)}*", ""]
        for theme in question.themes:
            lines += [f"### {md_text(theme.label)}", "", md_text(theme.sentence), ""]
            lines += [f"*{factor_line(theme, lang)}*", ""]
            _quotes(lines, theme.quotes, lang)
        if question.other is not None:
            lines += [md_text(question.other.sentence), ""]
            _quotes(lines, question.other.quotes, lang)
        if question.n_no_comment:
            lines += [i18n.count(lang, "no_comment", question.n_no_comment), ""]
            _quotes(lines, question.no_comment_quotes, lang)
    lines += ["---", "", f"*{i18n.s(lang, 'method')}.* {briefing.method_note}", ""]
    return "\n".join(lines)
