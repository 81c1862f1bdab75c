"""The briefing as Markdown: ``#`` title, ``##`` per question, ``###`` per theme, ``> `` per quote.

Quotes are written as they are, between quotation marks, without Markdown escaping:
escaping would change a verbatim quote (a reader of the rendered page sees the same
text; a stray ``*`` in an answer is the accepted cost).
"""

from __future__ import annotations

from analysis.briefing import i18n
from analysis.briefing.model import Briefing, BriefingQuote, BriefingTheme

#: Opening and closing quotation marks per briefing language (French: guillemets with no-break spaces).
QUOTE_MARKS = {"en": ("\u201c", "\u201d"), "fr": ("«\u00a0", "\u00a0»"), "es": ("«", "»"), "pt": ("\u201c", "\u201d")}


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


def _quotes(lines: list[str], theme: BriefingTheme, lang: str) -> None:
    for quote in theme.quotes:
        opening, text, tail = quote_parts(quote, lang)
        body = "\n> ".join(f"{opening}{text}{tail}".split("\n"))  # a multi-line quote stays one blockquote
        lines += [f"> {body}", ""]


def render_markdown(briefing: Briefing, graphic: str | None = None) -> str:
    """Markdown text; ``graphic`` is the file name of the key-messages image to link, if written beside it."""
    lang = briefing.lang
    lines = [f"# {briefing.title}", ""]
    if briefing.meeting:
        lines += [f"*{briefing.meeting}*", ""]
    lines += [briefing.context, ""]
    if briefing.key_messages:
        lines += [f"**{i18n.s(lang, 'key_messages')}**", ""]
        if graphic:
            lines += [f"![{i18n.s(lang, 'key_messages')}]({graphic})", ""]
        lines += [f"- {m.label} ({m.support})" for m in briefing.key_messages] + [""]
    for question in briefing.questions:
        lines += [f"## {question.heading}", ""]
        if not question.n_contributions:
            lines += [i18n.s(lang, "no_contribution"), ""]
            continue
        lines += [f"*{i18n.count(lang, 'answers_to', question.n_contributions)}*", ""]
        for theme in question.themes:
            lines += [f"### {theme.label}", "", theme.sentence, "", f"*{factor_line(theme, lang)}*", ""]
            _quotes(lines, theme, lang)
        if question.other is not None:
            lines += [question.other.sentence, ""]
            _quotes(lines, question.other, lang)
        if question.n_no_comment:
            lines += [i18n.count(lang, "no_comment", question.n_no_comment), ""]
    lines += ["---", "", f"*{i18n.s(lang, 'method')}.* {briefing.method_note}", ""]
    return "\n".join(lines)
