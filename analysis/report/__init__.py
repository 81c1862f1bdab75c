"""Thematic report: build a structure (``build``), then render it (``render``)."""

from analysis.report.build import build_report
from analysis.report.model import Report, ReportInput
from analysis.report.render import PdfUnavailable, render_html, render_pdf

__all__ = ["PdfUnavailable", "Report", "ReportInput", "build_report", "render_html", "render_pdf"]
