"""The primary label learned directly: one multinomial regression over the 11 candidates, not ten yes/no ones.

:class:`analysis.classify.FactorClassifier` decides labels with one regression per label (is the answer about
this factor at all?) and its chooser picks the primary among them from those probabilities and the codebook's
evidence. But "which factor is the answer *mainly* about" is a question of its own: an answer that develops a
code of conduct and mentions training in passing is about both, and mostly about one. ``DirectPrimary`` learns
it as such, from the gold primaries, on the two representations the classifier already has: the n-gram
pipeline's features (words, lemmas, character n-grams, codebook concepts) and the embedding block's centred
sentence vectors, whose log-probabilities it mixes. The classifier adds ``primary_weight`` times the mixed
log-probabilities to its chooser's scores, as it adds the neighbours' say.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

#: Floor of a probability before its log: a candidate no training answer had as primary gets this.
_FLOOR = 1e-6


class DirectPrimary(BaseEstimator):
    """Log-probabilities of each answer's primary among ``n_labels`` candidates.

    ``C``: the regularisation of the regression on the n-gram features; ``embeddings_C``: of the one on sentence
    vectors; ``embeddings_share``: that regression's share of the mixed log-probabilities (its rest is the
    n-grams'); without vectors the n-gram regression alone decides.
    """

    def __init__(self, C: float = 4.0, embeddings_C: float = 1.0, embeddings_share: float = 0.5) -> None:
        self.C = C
        self.embeddings_C = embeddings_C
        self.embeddings_share = embeddings_share

    def fit(self, features, vectors: np.ndarray | None, primary: np.ndarray, n_labels: int) -> DirectPrimary:
        """``features``: the n-gram pipeline's (sparse) matrix; ``vectors``: centred sentence vectors or None;
        ``primary``: index of each answer's primary among the candidates, -1 when unknown (left out)."""
        primary = np.asarray(primary)
        known = np.flatnonzero(primary >= 0)
        self.n_labels_ = n_labels
        self.ngrams_ = self._regression(self.C).fit(features[known], primary[known])
        self.vectors_ = None
        if vectors is not None:
            self.vectors_ = self._regression(self.embeddings_C).fit(np.asarray(vectors)[known], primary[known])
        return self

    @staticmethod
    def _regression(C: float) -> LogisticRegression:
        # Balanced: the pooled training data leans to a few primaries (audit, other); a new campaign's need not.
        return LogisticRegression(C=C, class_weight="balanced", max_iter=3000)

    def _log_proba(self, model: LogisticRegression, X) -> np.ndarray:
        out = np.full((X.shape[0], self.n_labels_), _FLOOR)
        out[:, model.classes_] = np.maximum(model.predict_proba(X), _FLOOR)
        return np.log(out)

    def log_proba(self, features, vectors: np.ndarray | None = None) -> np.ndarray:
        """(n, n_labels) mixed log-probabilities; ``vectors`` are needed when the model was fitted with them."""
        check_is_fitted(self, "ngrams_")
        mixed = self._log_proba(self.ngrams_, features)
        if self.vectors_ is not None:
            if vectors is None:
                raise ValueError("DirectPrimary was fitted with sentence vectors: pass the answers' vectors")
            share = self.embeddings_share
            mixed = (1.0 - share) * mixed + share * self._log_proba(self.vectors_, np.asarray(vectors))
        return mixed
