"""The primary label learned directly: a multinomial regression over the 11 candidates, not ten yes/no ones.

:class:`analysis.classify.FactorClassifier` decides labels with one regression per label (is the answer about
this factor at all?) and its chooser picks the primary among them from those probabilities and the codebook's
evidence. But "which factor is the answer *mainly* about" is a question of its own: an answer that develops a
code of conduct and mentions training in passing is about both, and mostly about one. ``DirectPrimary`` learns
it as such, from the gold primaries, with two multinomial regressions on the representations the classifier
already has: the n-gram pipeline's features (words, lemmas, character n-grams, codebook concepts) and the embedding
block's centred sentence vectors; their log-probabilities are mixed. The classifier adds ``primary_weight`` times
the mixed log-probabilities to its chooser's scores, as it adds the neighbours' say.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from analysis.errors import Errors

#: Floor of a probability before its log. A candidate no training answer had as primary gets it: its log (-13.8),
#: times the classifier's weight, all but rules it out, as a primary nobody ever coded should be.
FLOOR = 1e-6


class DirectPrimary(BaseEstimator):
    """Log-probabilities of each answer's primary among ``n_labels`` candidates (label indices 0…n_labels - 1).

    ``C``: the regularisation of the regression on the n-gram features; ``embeddings_C``: of the one on sentence
    vectors; ``embeddings_share``: that regression's share of the mixed log-probabilities (the rest is the
    n-grams'); fitted without vectors, the n-gram regression alone speaks.
    """

    def __init__(self, n_labels: int = 11, C: float = 4.0, embeddings_C: float = 1.0,
                 embeddings_share: float = 0.5) -> None:  # fmt: skip
        self.n_labels = n_labels
        self.C = C
        self.embeddings_C = embeddings_C
        self.embeddings_share = embeddings_share

    def fit(self, X: Any, y: np.ndarray, vectors: np.ndarray | None = None) -> DirectPrimary:
        """``X``: the n-gram pipeline's (sparse) features; ``y``: each answer's primary, -1 when unknown (left
        out); ``vectors``: the answers' centred sentence vectors, or None."""
        y = np.asarray(y)
        known = np.flatnonzero(y >= 0)
        if (y >= self.n_labels).any():
            raise ValueError(Errors.E310.format(n_labels=self.n_labels, label=int(y.max())))
        if len(np.unique(y[known])) < 2:
            raise ValueError(Errors.E311.format(n_primaries=len(np.unique(y[known]))))
        self.ngram_regression_ = _regression(self.C).fit(X[known], y[known])
        self.embedding_regression_ = None
        if vectors is not None:
            self.embedding_regression_ = _regression(self.embeddings_C).fit(np.asarray(vectors)[known], y[known])
        return self

    def _log_proba(self, model: LogisticRegression, X: Any) -> np.ndarray:
        out = np.full((X.shape[0], self.n_labels), FLOOR)
        out[:, model.classes_] = np.maximum(model.predict_proba(X), FLOOR)
        return np.log(out)

    def log_proba(self, X: Any, vectors: np.ndarray | None = None) -> np.ndarray:
        """(n, n_labels) mixed log-probabilities; ``vectors`` are needed when the model was fitted with them."""
        check_is_fitted(self, "ngram_regression_")
        mixed = self._log_proba(self.ngram_regression_, X)
        if self.embedding_regression_ is not None:
            if vectors is None:
                raise ValueError(Errors.E312)
            share = self.embeddings_share
            mixed = (1.0 - share) * mixed + share * self._log_proba(self.embedding_regression_, np.asarray(vectors))
        return mixed


def _regression(C: float) -> LogisticRegression:
    # Balanced: the pooled training data leans to a few primaries (audit, other); a new campaign's need not.
    return LogisticRegression(C=C, class_weight="balanced", max_iter=3000)
