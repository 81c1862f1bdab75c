"""The primary factor of an answer: which of its candidate labels it is mainly about, and its labels from it.

A second stage of :class:`analysis.classify.FactorClassifier`, learned on its out-of-fold
probabilities together with the codebook evidence (how many hits, where the first one falls) and
the points' developed shares, because "which factor is the answer mainly about" depends on where
and how often it is named, which independent per-factor probabilities ignore.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from analysis.factors import FACTOR_IDS, OTHER
from analysis.features import AnalysedText

#: The labels a classifier decides on: the 10 factors, then ``other``.
LABELS: tuple[str, ...] = (*FACTOR_IDS, OTHER)
_F = len(FACTOR_IDS)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def candidate_features(
    proba: np.ndarray, docs: Sequence[AnalysedText], thresholds: np.ndarray, developed: np.ndarray | None = None
) -> np.ndarray:
    """(n, 11, k) features of each candidate primary (10 factors, then ``other``) of each answer.

    Factors: the model's evidence (logit, gap to the best factor, margin over the
    threshold) beside the codebook's (hits, share of hits, how early the first hit
    falls, first-named, most-named, most probable) and the points' (the candidate's
    developed share of the answer, whether it is developed most; see :mod:`analysis.points`;
    zeros when ``developed`` is None). ``other``: its own logit and gap, its concept hits,
    whether any factor was named at all, its developed share. Nothing is language- or
    factor-specific, so the chooser transfers across languages and factors.
    """
    n = len(docs)
    counts, first = np.zeros((n, _F)), np.ones((n, _F))
    other_hits = np.zeros(n)
    index = {f: j for j, f in enumerate(FACTOR_IDS)}
    for i, doc in enumerate(docs):
        length = max(1, len(doc.terms))
        for hit in doc.hits:
            j = index.get(hit.factor)
            if j is None:
                other_hits[i] += 1
                continue
            counts[i, j] += 1
            first[i, j] = min(first[i, j], hit.start / length)
    lp = _logit(proba[:, :_F])
    rows = np.arange(n)
    named = counts > 0

    def top(values: np.ndarray) -> np.ndarray:  # one-hot of the row-wise argmax (first on ties)
        out = np.zeros((n, _F))
        out[rows, values.argmax(axis=1)] = 1
        return out

    factor_block = [lp, lp - lp.max(axis=1, keepdims=True), lp - _logit(thresholds[:_F]), np.log1p(counts),
                    counts / np.maximum(1, counts.sum(axis=1, keepdims=True)), 1 - first,
                    top(-first) * named, top(counts) * named, top(proba[:, :_F])]  # fmt: skip
    dev = np.zeros((n, _F + 1)) if developed is None else developed
    most = (dev >= dev.max(axis=1, keepdims=True)) & (dev > 0)
    factor_block += [dev[:, :_F], most[:, :_F].astype(float)]
    lo = _logit(proba[:, -1])
    n_named = counts.sum(axis=1)
    other_block = [lo, lo - lp.max(axis=1), np.log1p(other_hits), (n_named == 0).astype(float), np.log1p(n_named),
                   np.ones(n), dev[:, _F], most[:, _F].astype(float)]  # fmt: skip
    k_f, k_o = len(factor_block), len(other_block)
    X = np.zeros((n, _F + 1, k_f + k_o))
    X[:, :_F, :k_f] = np.stack(factor_block, axis=2)
    X[:, _F, k_f:] = np.stack(other_block, axis=1)
    return X


class PrimaryChooser:
    """Which of the 11 candidates (10 factors, ``other``) is the answer's primary label.

    A logistic regression scores each (answer, candidate) pair from
    :func:`candidate_features`; the best-scoring candidate is the primary. Trained on
    out-of-fold probabilities, so it learns how far to trust the model on unseen text.
    """

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def fit(self, proba: np.ndarray, docs: Sequence[AnalysedText], thresholds: np.ndarray,
            primary: np.ndarray, developed: np.ndarray | None = None) -> PrimaryChooser:  # fmt: skip
        """``primary``: index in :data:`LABELS` of each answer's primary label, -1 when unknown."""
        known = np.flatnonzero(primary >= 0)
        X = candidate_features(proba[known], [docs[i] for i in known], thresholds,
                               None if developed is None else developed[known])  # fmt: skip
        y = np.zeros((len(known), len(LABELS)), dtype=int)
        y[np.arange(len(known)), primary[known]] = 1
        self.lr_ = LogisticRegression(C=self.C, max_iter=5000).fit(X.reshape(-1, X.shape[2]), y.ravel())
        return self

    def scores(
        self,
        proba: np.ndarray,
        docs: Sequence[AnalysedText],
        thresholds: np.ndarray,
        developed: np.ndarray | None = None,
    ) -> np.ndarray:
        X = candidate_features(proba, docs, thresholds, developed)
        return self.lr_.decision_function(X.reshape(-1, X.shape[2])).reshape(len(docs), len(LABELS))


def decide_labels(proba: np.ndarray, rank: np.ndarray | None, thresholds: np.ndarray, *,
                  other_from_chooser: bool = True, label_thresholds: np.ndarray | None = None,
                  best: np.ndarray | None = None, max_labels: int = _F) -> list[list[str]]:  # fmt: skip
    """Label lists, primary first, from blended probabilities (n, 11) and the chooser's scores (None: no chooser).

    The factors passing their thresholds, ordered by the chooser; "other" wins when it is confident and more
    likely than any factor. The chooser's primary (``best``: that column of each row, by default its top score)
    goes first: a factor under its threshold that the codebook points at is then a label too; "other" leaves no
    factor when ``other_from_chooser`` (programme talk that names a measure in passing: its own evidence decides).
    ``label_thresholds`` (the factors' thresholds for labels, by default ``thresholds``) and ``max_labels`` (at least
    1) are what the development tool varies (``analysis.agreement_cv``); this is the one place the decision is written.
    """
    if max_labels < 1:
        raise ValueError(f"max_labels: {max_labels} (at least 1: an answer always has a label, 'other' if none)")
    factors = proba[:, :_F]
    ok = factors >= (thresholds[:_F] if label_thresholds is None else label_thresholds)
    p_other = proba[:, -1]
    ok[(p_other >= thresholds[-1]) & (p_other > factors.max(axis=1))] = False
    order = factors if rank is None else rank
    out = []
    for i in range(len(proba)):
        chosen = [int(j) for j in np.argsort(-order[i, :_F], kind="stable") if ok[i, j]]
        if rank is not None:
            top = int(np.argmax(rank[i]) if best is None else best[i])
            if top == _F and other_from_chooser:
                chosen = []
            elif top < _F:
                chosen = [top, *(j for j in chosen if j != top)]
        out.append([FACTOR_IDS[j] for j in chosen[:max_labels]] or [OTHER])
    return out
