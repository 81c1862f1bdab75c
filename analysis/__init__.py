"""CIPS analysis library: free text and scores of Integrity Perception Surveys.

A plain library: it takes and returns plain data and never imports Flask or ``cips``.
Heavy parts (spaCy, scikit-learn) load on first use, not on ``import analysis``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analysis.factors import CORE_LANGUAGES, FACTOR_IDS, FACTORS, OTHER

if TYPE_CHECKING:
    from analysis.classify import FactorClassifier

__all__ = ["CORE_LANGUAGES", "FACTORS", "FACTOR_IDS", "OTHER", "FactorClassifier", "detect_language",
           "load_default_classifier"]  # fmt: skip


def load_default_classifier() -> FactorClassifier:
    """The shipped classifier, trained on the corpus and the real-style development data (in the user cache dir)."""
    from analysis.default_model import load_default_classifier as load

    return load()


def detect_language(texts: Any) -> list[str]:
    from analysis.language import detect_language as detect

    return detect(texts)


def __getattr__(name: str) -> Any:
    if name == "FactorClassifier":
        from analysis.classify import FactorClassifier

        return FactorClassifier
    raise AttributeError(name)
