"""The primary learned directly (``analysis.primary_model.DirectPrimary``, FactorClassifier ``primary_weight``)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone

from analysis.adapt import AdaptedClassifier
from analysis.classify import LABELS, FactorClassifier
from analysis.features import analyse
from analysis.primary_model import FLOOR, DirectPrimary
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
    model = DirectPrimary(len(LABELS)).fit(X, primary)
    logp = model.log_proba(X)
    assert logp.shape == (X.shape[0], len(LABELS))
    seen = [2, 5, 10]
    unseen = [j for j in range(len(LABELS)) if j not in seen]
    assert np.allclose(logp[:, unseen], np.log(FLOOR))  # a primary no training answer had: floor, never chosen
    assert np.exp(logp[:, seen]).sum(axis=1) == pytest.approx(np.ones(X.shape[0]), abs=1e-5)
    known = primary >= 0
    assert (logp[known].argmax(axis=1) == primary[known]).mean() > 0.95


def test_primary_model_mixes_its_two_regressions_by_share() -> None:
    rng = np.random.default_rng(1)
    X, primary = _separable(rng, [0, 3, 7])
    vectors = rng.standard_normal((X.shape[0], 8))
    ngrams_only = DirectPrimary(C=4.0).fit(X, primary).log_proba(X)
    both = DirectPrimary(C=4.0, embeddings_share=0.0).fit(X, primary, vectors)
    assert both.log_proba(X, vectors) == pytest.approx(ngrams_only)
    vectors_only = DirectPrimary(embeddings_C=1.0, embeddings_share=1.0).fit(X, primary, vectors)
    alone = DirectPrimary(C=1.0).fit(vectors, primary)
    assert vectors_only.log_proba(X, vectors) == pytest.approx(alone.log_proba(vectors))


def test_primary_model_refuses_what_it_cannot_learn_or_read() -> None:
    rng = np.random.default_rng(2)
    X, primary = _separable(rng, [1, 4])
    model = DirectPrimary().fit(X, primary, rng.standard_normal((X.shape[0], 4)))
    with pytest.raises(ValueError, match="E312"):
        model.log_proba(X)
    with pytest.raises(ValueError, match="E311"):
        DirectPrimary().fit(X, np.where(primary >= 0, 4, -1))  # one primary only
    with pytest.raises(ValueError, match="E310"):
        DirectPrimary(n_labels=3).fit(X, primary)  # label 4 is not among 3 candidates


def _fit(corpus, step: int = 6, **params) -> tuple[FactorClassifier, list[str], list[str]]:
    small = corpus[::step]
    texts, langs = [e.text for e in small], [e.lang for e in small]
    model = FactorClassifier(cv=3, embeddings=FakeEmbedder(), embeddings_center=True, **params).fit(
        texts, [list(e.labels) for e in small], langs=langs, primary=[e.primary for e in small])  # fmt: skip
    return model, texts, langs


def test_primary_model_is_off_by_default_and_decides_the_primary_when_weighted(corpus) -> None:
    assert FactorClassifier().get_params()["primary_weight"] == 0.0
    assert _fit(corpus)[0].primary_model_ is None
    model, texts, langs = _fit(corpus, primary_weight=1_000.0)
    assert isinstance(model.primary_model_, DirectPrimary) and model.primary_model_.embedding_regression_ is not None
    probes, probe_langs = texts[:40], langs[:40]
    features = model.model_[:-1].transform(analyse(probes, probe_langs))
    centred = model.embedding_model_.transform(FakeEmbedder().encode(probes), probe_langs)
    logp = model.primary_model_.log_proba(features, centred)
    top2 = np.sort(logp, axis=1)[:, -2:]
    sure = top2[:, 1] - top2[:, 0] > 0.05  # weighted this much, the direct primary outvotes the chooser there
    assert sure.sum() > 20
    predicted = model.predict_primary(probes, probe_langs)
    assert [p for p, s in zip(predicted, sure, strict=True) if s] == [LABELS[j] for j in logp[sure].argmax(axis=1)]
    # Its say is added once: the total say is the neighbours' (none here) plus its own, w times the log-probabilities.
    *_, neighbours, direct = model._outputs(probes, probe_langs)
    assert neighbours is None and direct == pytest.approx(1_000.0 * logp)
    assert model._all_proba(probes, probe_langs)[3] == pytest.approx(direct)
    assert not hasattr(clone(model), "primary_model_")


def test_primary_model_reads_its_own_columns_in_a_model_adapted_to_reviewed_answers(corpus) -> None:
    model, texts, langs = _fit(corpus, primary_weight=5.0)
    reviewed = corpus[1::40]
    background = (
        [e.text for e in corpus[::12]],
        [list(e.labels) for e in corpus[::12]],
        [e.lang for e in corpus[::12]],
    )
    adapted = AdaptedClassifier(model, refit_features=True, background=background).fit(
        [e.text for e in reviewed], [list(e.labels) for e in reviewed], langs=[e.lang for e in reviewed])  # fmt: skip
    view = adapted._view()
    assert view.model_.named_steps["features"] is not model.primary_features_  # new columns for the labels
    direct = view._outputs(texts[:10], langs[:10])[4]
    assert direct == pytest.approx(model._outputs(texts[:10], langs[:10])[4])  # the direct primary's columns kept
    assert len(adapted.predict_primary(texts[:10], langs[:10])) == 10


def test_primary_model_without_a_chooser_or_a_second_primary_is_not_used_and_says_so(corpus) -> None:
    small = corpus[::8]
    with pytest.warns(UserWarning, match="primary_weight is not used"):
        model = FactorClassifier(cv=3, primary_chooser=False, primary_weight=1.0).fit(
            [e.text for e in small], [list(e.labels) for e in small], langs=[e.lang for e in small])  # fmt: skip
    assert model.primary_model_ is None
    with pytest.raises(ValueError, match="E309"):
        FactorClassifier(cv=3, primary_weight=-1.0).fit(
            [e.text for e in small], [list(e.labels) for e in small], langs=[e.lang for e in small])  # fmt: skip
