"""Respondent side: the offline-first PWA at /s/<campaign>, and a no-JavaScript fallback."""

from cips.survey import pwa, routes  # noqa: F401  (their views attach themselves to bp)
from cips.survey.blueprint import bp

__all__ = ["bp"]
