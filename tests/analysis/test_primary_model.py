"""The primary learned directly (``analysis.primary_model.DirectPrimary``, FactorClassifier ``primary_weight``)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone

from analysis.classify import LABELS, FactorClassifier
from analysis.features import analyse
from analysis.primary_model import DirectPrimary
from tests.analysis.test_embedding_block import FakeEmbedder


def _separable(rng: np.random.Generator, classes: list[int], n: int = 120) -> tuple[sparse.csr_matrix, np.ndarray]:
    primary = rng.choice(classes, n)
    dense = rng.random((n, 30)) * 0.1
    dense[np.arange(n), primary] += 1.0  # the class's own column lights up
    return sparse.csr_matrix(dense), primary


def test_primary_model_gives_every_candidate_a_log_probability() -> None:
    rng = np.random.default_rng(0)
    X, primary = _separable(rng, [2, 5, 10])
    primary[:7] = -1  # unknown primaries are left out, not a class
    model = DirectPrimary().fit(X, None, primary, len(LABELS))
    logp = model.log_proba(X)
    assert logp.shape == (X.shape[0], len(LABELS))
    seen = [2, 5, 10]
    unseen = [j for j in range(len(LABELS)) if j not in seen]
    assert np.allclose(logp[:, unseen], np.log(1e-6))  # a primary no training answer had: floor, never chosen
    assert np.exp(logp[:, seen]).sum(axis=1) == pytest.approx(np.ones(X.shape[0]), abs=1e-5)
    known = primary >= 0
    assert (logp[known].argmax(axis=1) == primary[known]).mean() > 0.95


def test_primary_model_mixes_its_two_regressions_by_share() -> None:
    rng = np.random.default_rng(1)
    X, primary = _separable(rng, [0, 3, 7])
    vectors = rng.standard_normal((X.shape[0], 8))
    ngrams_only = DirectPrimary().fit(X, None, primary, len(LABELS)).log_proba(X)
    both = DirectPrimary(embeddings_share=0.0).fit(X, vectors, primary, len(LABELS))
    assert both.log_proba(X, vectors) == pytest.approx(ngrams_only)
    vectors_only = DirectPrimary(embeddings_share=1.0).fit(X, vectors, primary, len(LABELS))
    alone = DirectPrimary(C=1.0).fit(vectors, None, primary, len(LABELS))  # embeddings_C is 1.0 too
    assert vectors_only.log_proba(X, vectors) == pytest.approx(alone.log_proba(vectors))


def test_primary_model_needs_the_vectors_it_was_fitted_with() -> None:
    rng = np.random.default_rng(2)
    X, primary = _separable(rng, [1, 4])
    model = DirectPrimary().fit(X, rng.standard_normal((X.shape[0], 4)), primary, len(LABELS))
    with pytest.raises(ValueError, match="fitted with sentence vectors"):
        model.log_proba(X)


def test_primary_model_is_off_by_default_and_decides_the_primary_when_weighted(corpus) -> None:
    small = corpus[::6]
    texts, langs = [e.text for e in small], [e.lang for e in small]

    def fit(**params) -> FactorClassifier:
        return FactorClassifier(cv=3, embeddings=FakeEmbedder(), embeddings_center=True, **params).fit(
            texts, [list(e.labels) for e in small], langs=langs, primary=[e.primary for e in small])  # fmt: skip

    assert FactorClassifier().get_params()["primary_weight"] == 0.0
    assert fit().primary_model_ is None
    model = fit(primary_weight=1_000.0)
    assert isinstance(model.primary_model_, DirectPrimary) and model.primary_model_.vectors_ is not None
    probes, probe_langs = texts[:40], langs[:40]
    features = model.model_[:-1].transform(analyse(probes, probe_langs))
    centred = model.embedding_model_.transform(FakeEmbedder().encode(probes), probe_langs)
    direct = model.primary_model_.log_proba(features, centred).argmax(axis=1)
    # Weighted this much, the regression of primaries outvotes the chooser wherever it is sure.
    sure = np.sort(model.primary_model_.log_proba(features, centred), axis=1)
    sure = sure[:, -1] - sure[:, -2] > 0.05
    predicted = model.predict_primary(probes, probe_langs)
    assert sure.sum() > 20
    assert [p for p, s in zip(predicted, sure, strict=True) if s] == [
        LABELS[j] for j, s in zip(direct, sure, strict=True) if s
    ]
    assert not hasattr(clone(model), "primary_model_")


def test_primary_model_without_a_primary_chooser_is_not_used_and_says_so(corpus) -> None:
    small = corpus[::8]
    with pytest.warns(UserWarning, match="primary_weight is not used"):
        model = FactorClassifier(cv=3, primary_chooser=False, primary_weight=1.0).fit(
            [e.text for e in small], [list(e.labels) for e in small], langs=[e.lang for e in small])  # fmt: skip
    assert model.primary_model_ is None
