"""Fixtures for the analysis library (no Flask app needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.briefing import Contribution, build_briefing, read_contributions, read_questions
from analysis.default_model import CORPUS_PATH
from analysis.embeddings import CachedEmbedder, EmbeddingCache, get_embedder
from analysis.evaluate import load_examples
from analysis.factors import FACTOR_IDS, OTHER
from tests.analysis.briefing_helpers import CSV, QUESTIONS


@pytest.fixture(scope="session")
def corpus():
    return load_examples(CORPUS_PATH)


@pytest.fixture(scope="session")
def default_model():
    from analysis import load_default_classifier

    return load_default_classifier()


class StubModel:
    """A classifier whose answers a test can work out by hand: each keyword gives its factor.

    Labels are the factors of the keywords found, in the order they first appear, else
    ``other``; the probability is 0.9 for a label and 0.1 for any other factor.
    """

    KEYWORDS = {"training": "hrm", "formation": "hrm", "rotation": "hrm", "rodízio": "hrm", "salários": "hrm",
                "e-payment": "automation", "paiement": "automation", "cadeaux": "conduct", "sanciona": "audit",
                "exemple": "leadership", "tariff": "transparency"}  # fmt: skip

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], list[str] | None]] = []

    def labels_of(self, text: str) -> list[str]:
        found = sorted((text.lower().find(k), f) for k, f in self.KEYWORDS.items() if k in text.lower())
        return list(dict.fromkeys(f for _, f in found)) or [OTHER]

    def predict_labels(self, texts, langs=None):
        self.calls.append((list(texts), None if langs is None else list(langs)))
        return [self.labels_of(t) for t in texts]

    def predict_labels_and_proba(self, texts, langs=None):
        labels = self.predict_labels(texts, langs)
        proba = np.array([[0.9 if f in ls else 0.1 for f in FACTOR_IDS] for ls in labels])
        return labels, proba


@pytest.fixture
def stub_model(monkeypatch) -> StubModel:
    """The CLIs' model replaced by :class:`StubModel` (they load it through ``analysis.load_default_classifier``)."""
    import analysis

    model = StubModel()
    monkeypatch.setattr(analysis, "load_default_classifier", lambda: model)
    return model


# The briefing tests (test_briefing*.py): the shipped example, its briefing, and the model-free embedder.
@pytest.fixture(scope="module")
def contributions() -> list[Contribution]:
    return read_contributions(CSV)


@pytest.fixture(scope="module")
def questions():
    return read_questions(QUESTIONS)


@pytest.fixture(scope="module")
def briefing(contributions, questions, default_model, tfidf_embeddings):
    return build_briefing(contributions, lang="fr", questions=questions, meeting="Réunion de test",
                          classifier=default_model)  # fmt: skip


@pytest.fixture
def tfidf(tmp_path: Path) -> CachedEmbedder:
    return CachedEmbedder(get_embedder("tfidf"), EmbeddingCache(tmp_path / "embeddings.sqlite3"))
