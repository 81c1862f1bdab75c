"""Language-independent evidence for :class:`analysis.classify.FactorClassifier`: sentence embeddings.

A multilingual sentence embedding (e5, see :mod:`analysis.embeddings`) puts an answer and its
translation close together, where lemma and character n-grams share almost nothing across
languages. The block is a second per-label logistic regression on the answer's embedding; its
probabilities are blended with the n-gram pipeline's before thresholds and the primary chooser
(which are tuned on the blended out-of-fold probabilities). Points of an answer are scored by the
n-gram pipeline only: embedding every point would multiply the embedding work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

#: One cached embedder per backend name and process: the model loads once and the
#: persistent cache means each distinct answer is embedded once per model.
_EMBEDDERS: dict[str, Any] = {}


def embed(texts: Sequence[str], backend: Any) -> np.ndarray:
    """(n, d) vectors of ``texts``: ``backend`` is a backend name ("e5", "tfidf") or an object with ``encode``."""
    if isinstance(backend, str):
        if backend not in _EMBEDDERS:
            from analysis.embeddings import CachedEmbedder, get_embedder

            _EMBEDDERS[backend] = CachedEmbedder(get_embedder(backend))
        return np.asarray(_EMBEDDERS[backend].encode(list(texts)), dtype=float)
    return np.asarray(backend.encode(list(texts)), dtype=float)


def check_weight(weight: float) -> float:
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"embeddings_weight must be between 0 and 1, got {weight!r}")
    return weight


def fit_block(vectors: np.ndarray, targets: np.ndarray, C: float) -> OneVsRestClassifier:
    """One logistic regression per label (the 10 factors, then ``other``) on the embeddings."""
    clf = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=2000)
    return OneVsRestClassifier(clf).fit(vectors, targets)


def blend(proba: np.ndarray, block: OneVsRestClassifier, vectors: np.ndarray, weight: float) -> np.ndarray:
    """``(1 - weight)`` of the n-gram probabilities plus ``weight`` of the embedding block's."""
    return (1.0 - weight) * proba + weight * block.predict_proba(vectors)
