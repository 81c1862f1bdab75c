"""Write a built report as self-contained HTML (inline CSS and SVG, no CDN) or as PDF (WeasyPrint)."""

from __future__ import annotations

from pathlib import Path

from babel import Locale, UnknownLocaleError
from jinja2 import Environment, FileSystemLoader, select_autoescape

from analysis.agreement import RELIABLE_PAIRS
from analysis.errors import Errors
from analysis.factors import FACTOR_IDS, factor_name
from analysis.numbers import number, percent
from analysis.report import charts
from analysis.report.i18n import text
from analysis.report.model import Report
from analysis.sampling import ci_text
from analysis.scores import SUPPRESSED

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]))  # fmt: skip


def draw_charts(report: Report) -> Report:
    report.charts["factors"] = charts.factor_chart(report.factor_table.dropna(subset=["index"]), report.lang)
    if report.gap is not None:
        report.charts["gap"] = charts.difference_chart(report.gap, report.lang)
    if report.change is not None:
        report.charts["change"] = charts.difference_chart(report.change, report.lang)
    sizes = {b.factor: b.n_respondents for b in report.themes if b.n_respondents >= 5}
    if sizes:
        report.charts["themes"] = charts.theme_chart(sizes, report.lang)
    return report


def language_name(code: str, lang: str) -> str:
    """A language code as its name in the report language (CLDR, through Babel): ``fr`` → "French"."""
    try:
        name = Locale.parse(code).get_display_name(Locale.parse(lang)) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


def render_html(report: Report) -> str:
    if not report.charts:
        draw_charts(report)
    table = report.factor_table
    lang = report.lang

    def write(value: float | int, decimals: int | None = 0, signed: bool = False) -> str:
        return number(value, decimals, lang, signed)

    cells = {(r.group, r.factor): r.display if r.display == SUPPRESSED else write(r.index, 1)
             for r in table.itertuples()}  # fmt: skip
    cis = {(r.group, r.factor): ci_text(r.ci_low, r.ci_high, write) for r in table.itertuples()}
    return _ENV.get_template("report.html").render(
        report=report, t=text(report.lang), groups=list(dict.fromkeys(table["group"])),
        factors=[f for f in FACTOR_IDS if f in set(table["factor"])], cells=cells, cis=cis,
        factor_name=lambda f: factor_name(f, report.lang), language=lambda code: language_name(code, report.lang),
        reliable_pairs=RELIABLE_PAIRS, number=write, percent=lambda share: percent(share, lang),
    )  # fmt: skip


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries (Pango) are missing."""


def render_pdf(report: Report) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango not installed
        raise PdfUnavailable(Errors.E502.format(reason=exc)) from exc
    return HTML(string=render_html(report)).write_pdf()
