"""CIPS analysis library: free text and scores of Integrity Perception Surveys.

A plain library: it takes and returns plain data and never imports Flask or ``cips``.
"""

from analysis.factors import CORE_LANGUAGES, FACTOR_IDS, FACTORS, OTHER

__all__ = ["CORE_LANGUAGES", "FACTORS", "FACTOR_IDS", "OTHER"]
