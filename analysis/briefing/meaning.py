"""Themes by meaning: answers grouped by what they say, across languages.

Each text is embedded (``analysis.embeddings``: multilingual-e5-small by default, through the
persistent cache, so each distinct answer is embedded once) and the texts of one question are
grouped by agglomerative clustering on cosine distance with a **distance threshold** rather
than a number of themes: the data decide how many themes there are, as an editor's do. A
text alone in its cluster shares its main point with no other answer: it goes to "other
points" (label ``OTHER``), as the editor of the theme benchmark does.

The threshold and linkage were tuned on the development half of the theme benchmark only
(``analysis/data/themes``, questions q1 and q2; see README, "Themes by meaning: measured",
and ``python -m analysis.evaluate_themes --tune``): whole answers, mean ARI 0.067 against the
editor, no better than the concept/BERTopic grouping (0.077), so this is an option of
``build_briefing``, not its default. An answer and its translation embed close, so themes
merge languages by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from analysis.embeddings import CachedEmbedder, Embedder, get_embedder

#: The label of texts that share their point with no other text ("other points").
OTHER = -1
Linkage = Literal["average", "complete", "single"]
#: Tuned on the development questions (q1, q2) of the theme benchmark; see the module docstring.
DISTANCE_THRESHOLD = 0.14
LINKAGE: Linkage = "average"


def default_embedder(name: str | None = None) -> CachedEmbedder:
    """The configured embedder (``name``, else ``$CIPS_EMBEDDINGS``, else e5) behind the shared cache."""
    return CachedEmbedder(get_embedder(name))


def cluster_vectors(vectors: np.ndarray, distance_threshold: float = DISTANCE_THRESHOLD,
                    linkage: Linkage = LINKAGE) -> np.ndarray:  # fmt: skip
    """Cluster labels of L2-normalised rows: 0, 1, … by first appearance, ``OTHER`` for a text alone.

    Labels are renumbered in order of first appearance so that the same input always gives
    the same labels, whatever order scikit-learn numbers its clusters in.
    """
    n = len(vectors)
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1:
        return np.array([OTHER])
    raw = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage=linkage, distance_threshold=distance_threshold
    ).fit_predict(np.asarray(vectors, dtype=np.float64))
    sizes = np.bincount(raw)
    labels = np.full(n, OTHER)
    renumber: dict[int, int] = {}
    for i, c in enumerate(raw):
        if sizes[c] >= 2:
            labels[i] = renumber.setdefault(int(c), len(renumber))
    return labels


def group_by_meaning(
    texts: Sequence[str],
    embedder: Embedder | CachedEmbedder | None = None,
    distance_threshold: float = DISTANCE_THRESHOLD,
    linkage: Linkage = LINKAGE,
) -> np.ndarray:
    """The theme of each text (``OTHER`` when it shares its point with no other), for one question.

    ``embedder`` defaults to the configured one behind the shared cache (:func:`default_embedder`).
    """
    if not texts:
        return np.zeros(0, dtype=int)
    embedder = embedder or default_embedder()
    return cluster_vectors(embedder.encode(list(texts)), distance_threshold, linkage)
