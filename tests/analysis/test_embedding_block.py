"""The optional sentence-embedding block of FactorClassifier, with a fake embedder (no model to load)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from analysis.classify import LABELS, FactorClassifier
from analysis.embedding_block import EmbeddingBlock
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
    assert isinstance(model.embedding_model_, EmbeddingBlock)
    assert len(model.embedding_model_.model_.estimators_) == len(LABELS)
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
    expected = model.embedding_model_.predict_proba(fake.encode(PROBE), ["en", "fr"])[:, : len(FACTOR_IDS)]
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


def test_centred_block_removes_each_languages_own_direction() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(size=(60, 8))
    targets = np.zeros((60, len(LABELS)), dtype=int)
    targets[np.arange(60), np.arange(60) % len(LABELS)] = 1
    offset = np.zeros(8)
    offset[0] = 5.0  # every "fr" vector shares a direction its "en" translation lacks
    vectors, langs = np.vstack([base, base + offset]), ["en"] * 60 + ["fr"] * 60
    block = EmbeddingBlock(C=1.0, center=True).fit(vectors, np.vstack([targets, targets]), langs)
    assert set(block.means_) == {"en", "fr"}
    probe = rng.normal(size=(3, 8))
    np.testing.assert_allclose(block.predict_proba(probe, ["en"] * 3),
                               block.predict_proba(probe + offset, ["fr"] * 3), atol=1e-6)  # fmt: skip
    raw = EmbeddingBlock(C=1.0).fit(vectors, np.vstack([targets, targets]))
    assert not np.allclose(raw.predict_proba(probe), raw.predict_proba(probe + offset), atol=1e-3)
    # A language the block never saw is centred on the mean of all training vectors.
    assert block.predict_proba(probe, ["pt"] * 3).shape == (3, len(LABELS))


def test_centred_block_needs_languages_and_a_fit() -> None:
    with pytest.raises(NotFittedError):
        EmbeddingBlock(center=True).predict_proba(np.zeros((1, 4)), ["en"])
    with pytest.raises(ValueError, match="language"):
        EmbeddingBlock(center=True).fit(np.zeros((2, 4)), np.eye(2, dtype=int))
    assert EmbeddingBlock().get_params() == {"C": 10.0, "center": False}


def test_points_are_embedded_only_when_asked(corpus) -> None:
    listed = "Two things: 1) rotation of staff at the border 2) publish the tariffs online"
    off, on = FakeEmbedder(), FakeEmbedder()
    plain = _fit(corpus, embeddings=off, embeddings_weight=0.5, embeddings_center=True)
    off.seen.clear()
    plain.predict_labels([listed], ["en"])
    assert off.seen == [listed]
    points = _fit(corpus, embeddings=on, embeddings_weight=0.5, embeddings_center=True, embeddings_points=True)
    assert isinstance(points.embedding_model_, EmbeddingBlock) and points.embedding_model_.center
    on.seen.clear()
    points.predict_labels([listed], ["en"])
    assert listed in on.seen and any("rotation" in t and t != listed for t in on.seen)
