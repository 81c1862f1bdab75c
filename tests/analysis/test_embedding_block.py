"""The optional sentence-embedding block of FactorClassifier, with a fake embedder (no model to load)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.multiclass import OneVsRestClassifier

from analysis.classify import LABELS, FactorClassifier
from analysis.factors import FACTOR_IDS


class FakeEmbedder:
    """A fixed pseudo-random unit vector per text; remembers what it was asked to embed."""

    backend, model_id, dim = "fake", "fake-16", 16

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        rows = [np.random.default_rng(int(hashlib.sha256(t.encode()).hexdigest()[:8], 16)).normal(size=self.dim)
                for t in texts]  # fmt: skip
        out = np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


PROBE = ["More rotation of staff at the border posts", "Merci pour le questionnaire"]


def _fit(corpus, **params) -> FactorClassifier:
    small = corpus[::6]
    return FactorClassifier(cv=3, **params).fit([e.text for e in small], [list(e.labels) for e in small],
                                                langs=[e.lang for e in small])  # fmt: skip


def test_embeddings_are_off_by_default() -> None:
    assert FactorClassifier().get_params()["embeddings"] is None


def test_embedding_block_is_learned_state_and_sees_every_training_answer(corpus) -> None:
    fake = FakeEmbedder()
    model = _fit(corpus, embeddings=fake, embeddings_weight=0.5)
    assert isinstance(model.embedding_model_, OneVsRestClassifier)
    assert len(model.embedding_model_.estimators_) == len(LABELS)
    assert set(fake.seen) >= {e.text for e in corpus[::6]}
    labels = model.predict_labels(PROBE, ["en", "fr"])
    assert all(ls and set(ls) <= set(LABELS) for ls in labels)
    assert model.predict_proba(PROBE, ["en", "fr"]).shape == (2, len(FACTOR_IDS))
    assert not hasattr(clone(model), "embedding_model_")


def test_embedding_block_predict_before_fit_raises() -> None:
    with pytest.raises(NotFittedError):
        FactorClassifier(embeddings=FakeEmbedder()).predict(PROBE)


def test_embedding_weight_one_gives_the_blocks_probabilities(corpus) -> None:
    fake = FakeEmbedder()
    model = _fit(corpus, embeddings=fake, embeddings_weight=1.0)
    # One sentence, no list: no point lifts a factor, so the whole answer's probabilities are the block's.
    expected = model.embedding_model_.predict_proba(fake.encode(PROBE))[:, : len(FACTOR_IDS)]
    np.testing.assert_allclose(model.predict_proba(PROBE, ["en", "fr"]), expected)


def test_embedding_weight_zero_is_the_text_pipeline_alone(corpus) -> None:
    without = _fit(corpus)
    assert without.embedding_model_ is None
    zero = _fit(corpus, embeddings=FakeEmbedder(), embeddings_weight=0.0)
    np.testing.assert_allclose(zero.predict_proba(PROBE, ["en", "fr"]), without.predict_proba(PROBE, ["en", "fr"]))
    assert zero.predict_labels(PROBE, ["en", "fr"]) == without.predict_labels(PROBE, ["en", "fr"])


def test_embedding_weight_out_of_range_is_refused(corpus) -> None:
    with pytest.raises(ValueError, match="embeddings_weight"):
        _fit(corpus, embeddings=FakeEmbedder(), embeddings_weight=1.5)
