"""Language-independent evidence for :class:`analysis.classify.FactorClassifier`: sentence embeddings.

A multilingual sentence embedding (e5, see :mod:`analysis.embeddings`) puts an answer and its
translation close together, where lemma and character n-grams share almost nothing across
languages. The block is a second per-label logistic regression on the answer's embedding; its
probabilities are blended with the n-gram pipeline's before thresholds and the primary chooser
(which are tuned on the blended out-of-fold probabilities).

Each language's embeddings also share a direction of their own (a French answer is a little
closer to every French answer than to its English translation). ``center=True`` subtracts each
language's mean training vector before the regression: on the real-style development set the
nearest other answer to an answer is its translation for 93 % of answers raw, 99.7 % centred.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from analysis.linear import label_regressions

#: One cached embedder per (backend name, cache dir) and process: the model loads once and the persistent
#: cache means each distinct answer is embedded once per model. The dir is part of the key: a process that
#: switches ``CIPS_CACHE_DIR`` (a benchmark's fresh dir, a test's) must not keep writing to the first one.
_EMBEDDERS: dict[tuple[str, str], Any] = {}
#: The (backend, cache dir) pairs whose shared cache this process has seeded with the shipped training vectors.
_SEEDED: set[tuple[str, str]] = set()
#: Where :func:`embed` keeps vectors inside :func:`private_vectors` (None: the shared cache).
_PRIVATE: ContextVar[Any] = ContextVar("private_vectors", default=None)


@contextmanager
def private_vectors(cache: Any = None) -> Iterator[Any]:
    """Inside, a classifier's vectors are kept in this process's memory only, never in the shared cache.

    For decrypted answers (``cips decrypt --review/--report``): their vectors are as telling as
    their text. ``cache``: an in-memory ``EmbeddingCache`` to share with the report's themes (one
    embedding per text and model); a new one by default. The model itself is shared.
    """
    from analysis.embeddings import EmbeddingCache

    cache = cache if cache is not None else EmbeddingCache(":memory:")
    if str(cache.path) != ":memory:":
        raise ValueError("private vectors need an in-memory cache (EmbeddingCache(':memory:'))")
    token = _PRIVATE.set(cache)
    try:
        yield cache
    finally:
        _PRIVATE.reset(token)


def in_private_mode() -> bool:
    """Whether this context keeps derived data of answers in memory only (inside :func:`private_vectors`)."""
    return _PRIVATE.get() is not None


def cached_embedder(backend: Any, seed: bool = False) -> Any:
    """The cached embedder ``embed`` reads ``backend``'s vectors through, or None for a bare encoder.

    ``seed``: first copy the shipped training vectors (``analysis.vector_pack``) into the shared cache, once
    per process: a model being fitted needs them; a prediction (a web request, a status page) does not and
    must not read and write thousands of rows on its first use.
    """
    from analysis.embeddings import CachedEmbedder, get_embedder

    private = _PRIVATE.get()
    if isinstance(backend, CachedEmbedder):
        return backend if private is None else CachedEmbedder(backend.embedder, private)
    if not isinstance(backend, str):
        return None
    from analysis.default_model import cache_dir

    key = (backend, str(cache_dir()))
    if key not in _EMBEDDERS:
        # One model in memory per backend, whichever dirs its vectors are kept in.
        loaded = next((e.embedder for (name, _), e in _EMBEDDERS.items() if name == backend), None)
        _EMBEDDERS[key] = CachedEmbedder(loaded or get_embedder(backend))
    shared = _EMBEDDERS[key]
    if seed and key not in _SEEDED:
        from analysis.vector_pack import seed_cache

        seed_cache(shared)  # the training texts' shipped vectors: no cold run to fit
        _SEEDED.add(key)
    return shared if private is None else CachedEmbedder(shared.embedder, private)


def embed(texts: Sequence[str], backend: Any, seed: bool = False) -> np.ndarray:
    """(n, d) vectors of ``texts``: ``backend`` is a backend name ("e5", "tfidf") or an object with ``encode``.

    A name's vectors go through the shared persistent cache, or the in-memory one of
    :func:`private_vectors` when inside it. ``seed``: as :func:`cached_embedder` (when fitting).
    """
    cached = cached_embedder(backend, seed=seed)
    return np.asarray((cached or backend).encode(list(texts)), dtype=float)


def missing_vectors(texts: Sequence[str], backend: Any) -> tuple[str, list[str]]:
    """(the cache key, the distinct ``texts`` whose vectors :func:`embed` would compute now): what a
    report or a coding job checks before classifying with an embedding model. A bare encoder (an
    object with ``encode`` only, as in tests) has no cache: it computes at once, nothing is missing."""
    cached = cached_embedder(backend)
    if cached is None:
        return f"{getattr(backend, 'backend', '')}:{getattr(backend, 'model_id', '')}", []
    return cached.key, cached.missing(list(texts))


def check_weight(weight: float) -> float:
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"embeddings_weight must be between 0 and 1, got {weight!r}")
    return weight


class EmbeddingBlock(BaseEstimator):
    """One logistic regression per label (the 10 factors, then ``other``) on the embeddings.

    ``center``: each language's mean training vector is subtracted first (the vector renormalised);
    a language unseen in training gets the mean of all training vectors.
    """

    def __init__(self, C: float = 10.0, center: bool = False) -> None:
        self.C = C
        self.center = center

    def _centred(self, vectors: np.ndarray, langs: Sequence[str] | None) -> np.ndarray:
        if not self.center:
            return vectors
        langs = _one_per_vector(langs, vectors)
        means = np.array([self.means_.get(lang, self.mean_) for lang in langs]).reshape(vectors.shape)
        out = vectors - means
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def fit(self, vectors: np.ndarray, targets: np.ndarray, langs: Sequence[str] | None = None) -> EmbeddingBlock:
        vectors = np.asarray(vectors, dtype=float)
        self.mean_ = vectors.mean(axis=0)
        self.means_: dict[str, np.ndarray] = {}
        if self.center:
            codes = np.asarray(_one_per_vector(langs, vectors))
            self.means_ = {str(lang): vectors[codes == lang].mean(axis=0) for lang in np.unique(codes)}
        self.model_ = label_regressions(self.C).fit(self._centred(vectors, langs), targets)
        return self

    def predict_proba(self, vectors: np.ndarray, langs: Sequence[str] | None = None) -> np.ndarray:
        check_is_fitted(self, "model_")
        return self.model_.predict_proba(self.transform(vectors, langs))

    def transform(self, vectors: np.ndarray, langs: Sequence[str] | None = None) -> np.ndarray:
        """The vectors the regression reads (centred per language when ``center``)."""
        check_is_fitted(self, "model_")
        return self._centred(np.asarray(vectors, dtype=float), langs)


class NeighbourPrimaries(BaseEstimator):
    """Each answer's k nearest training answers written in *other* languages, and their gold primaries.

    ``shares(vectors, langs)`` is an (n, labels) matrix: the similarity-weighted share of the k
    neighbours whose primary is each label. Only other languages are read, so an answer's own
    language (its register, its n-grams, the direction e5 gives each language) cannot pull it toward
    answers that merely share its language; translations of one answer see nearly the same neighbours.
    """

    def __init__(self, k: int = 20) -> None:
        self.k = k

    def fit(self, vectors: np.ndarray, langs: Sequence[str], primary: np.ndarray, n_labels: int) -> NeighbourPrimaries:
        """``vectors``: as the block reads them (centred); ``primary``: label index per answer, -1 unknown."""
        keep = np.flatnonzero(np.asarray(primary) >= 0)
        self.vectors_ = np.asarray(vectors, dtype=np.float32)[keep]
        self.langs_ = np.asarray(_one_per_vector(langs, vectors))[keep]
        self.primary_ = np.asarray(primary)[keep]
        self.n_labels_ = n_labels
        return self

    def shares(self, vectors: np.ndarray, langs: Sequence[str], chunk: int = 512) -> np.ndarray:
        check_is_fitted(self, "vectors_")
        langs = np.asarray(_one_per_vector(langs, vectors))
        out = np.zeros((len(vectors), self.n_labels_))
        # Answers grouped by language, each group multiplied only by the training vectors of the other
        # languages: a quarter less product than masking its own language afterwards, and no mask.
        for lang in np.unique(langs):
            rows = np.flatnonzero(langs == lang)
            others = np.flatnonzero(self.langs_ != lang)  # every vector for a language unseen in training
            k = min(self.k, len(others))
            if k == 0:
                continue
            pool, primary = self.vectors_[others], self.primary_[others]
            for start in range(0, len(rows), chunk):
                part = rows[start : start + chunk]
                sims = np.asarray(vectors[part], dtype=np.float32) @ pool.T
                top = top_k_columns(sims, k)
                weights = np.maximum(np.take_along_axis(sims, top, axis=1), 0.0)
                cells = np.arange(len(part))[:, None] * self.n_labels_ + primary[top]
                out[part] = np.bincount(cells.ravel(), weights.ravel(), minlength=len(part) * self.n_labels_
                                        ).reshape(len(part), self.n_labels_)  # fmt: skip
        return out / np.maximum(out.sum(axis=1, keepdims=True), 1e-12)


def top_k_columns(values: np.ndarray, k: int, groups: int = 8) -> np.ndarray:
    """(n, k) column indices of each row's ``k`` largest values, in no particular order (ties broken arbitrarily).

    A full ``argpartition`` of every row was most of the neighbours' cost. Exact shortcut: deal each row's
    columns into blocks of ``groups`` (block b holds columns b, b + w, b + 2w…, w = columns / groups); a row's
    k largest values lie in its k blocks of largest maximum (an element outside them is beaten by those k
    maxima), so only those ``k * groups`` candidates are partitioned.
    """
    n, m = values.shape
    if m <= 2 * k * groups:
        return np.argpartition(values, m - k, axis=1)[:, m - k :]
    pad = (-m) % groups
    padded = np.pad(values, ((0, 0), (0, pad)), constant_values=-np.inf) if pad else values
    width = padded.shape[1] // groups
    maxima = padded.reshape(n, groups, width).max(axis=1)  # over the middle axis: contiguous, fast
    blocks = np.argpartition(maxima, width - k, axis=1)[:, -k:]
    candidates = (blocks[:, :, None] + width * np.arange(groups)).reshape(n, -1)
    best = np.argpartition(np.take_along_axis(padded, candidates, axis=1), k * groups - k, axis=1)[:, -k:]
    chosen = np.take_along_axis(candidates, best, axis=1)
    if pad:
        # A padding column is chosen only among -inf values (fewer than k finite ones): any real -inf column will do.
        beyond = chosen >= m
        if beyond.any():
            chosen[beyond] = np.argmin(values, axis=1).repeat(k).reshape(n, k)[beyond]
    return chosen


def _one_per_vector(langs: Sequence[str] | None, vectors: np.ndarray) -> Sequence[str]:
    if langs is None or len(langs) != len(vectors):
        raise ValueError("a centred embedding block needs one language per vector")
    return langs


def blend(proba: np.ndarray, block: EmbeddingBlock, vectors: np.ndarray, weight: float,
          langs: Sequence[str] | None = None) -> np.ndarray:  # fmt: skip
    """``(1 - weight)`` of the n-gram probabilities plus ``weight`` of the embedding block's."""
    return (1.0 - weight) * proba + weight * block.predict_proba(vectors, langs)
