"""The editors' "same main point", learned: p(same theme) of two answers to one question, and themes from it.

For every pair of answers to one question, features of the two (their e5 cosine, raw, centred on
the question and ranked within it; the best match between their sentences; the similarity of
their first and of their longest sentences; the codebook concepts they share; the cosine of the
default grouping's representation, e5 beside the concepts, and its rank; the cosine of their
concepts' TF-IDF) go through a logistic regression fitted on the development questions of the
theme benchmarks (:class:`PairSimilarity`; ``analysis.learn_themes`` measures it leaving one
question out and, with ``--build``, writes ``MODEL_FILE``). Every feature compares the two answers;
none is a coordinate of an embedding, whose language shows in its coordinates (the e5 product and
difference of an earlier version made it merge unrelated short answers with an answer's
translations: the cross-language test).
Answers are clustered with weighted (WPGMA) linkage on ``1 - p(same)``, cut where ``p`` falls below
the threshold chosen the same way; the briefing's rules follow (a theme of more than ``MAX_THEME``
answers is split along its own tree, an answer alone goes to "other points"). The briefing's default
(``meaning.DEFAULT``, ``Settings(pairs=True)``) since the fourth theme benchmark's look; README,
"Held out: the fourth theme benchmark".

The model holds for the embedder it was fitted with (its backend and dimension are in the file):
with another embedder, ``analysis.briefing.meaning`` groups as before (concepts beside the
embedding, Ward).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from analysis.briefing.meaning import CONCEPT_WEIGHT, answer_vectors, quotable_themes

#: Where ``python -m analysis.learn_themes --build`` writes the fitted model (shipped: about 2 kB).
MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "theme_pairs.json"
#: The features, in column order.
FEATURES = ("cosine", "centred cosine", "z cosine", "rank", "centred rank", "best sentences", "rank of best sentences",
            "first sentences", "longest sentences", "shared concepts", "concept jaccard", "default cosine",
            "default rank", "concept tf-idf cosine", "first points", "longest points")  # fmt: skip
#: The linkage on 1 - p(same): weighted (WPGMA) agreed most with the editors leaving one question out (README).
LINKAGE = "weighted"


@dataclass
class PairInputs:
    """What the pair features need of one question's answers."""

    answers: np.ndarray  # (n, d) unit embedding of each whole answer
    sentences: list[np.ndarray]  # per answer, its sentences' unit rows (first one first)
    longest: np.ndarray  # (n, d) each answer's longest sentence
    concepts: list[set[str]]
    first_point: np.ndarray  # (n, d) each answer's first point (``split_points``: a list item, a paragraph)
    main_point: np.ndarray  # (n, d) its longest point: the one it develops most


def pair_inputs(texts: Sequence[str], concepts: Iterable[Iterable[str]], embedder: Any) -> PairInputs:
    """Embed one question's answers whole and sentence by sentence (through the embedder's cache)."""
    from analysis.segment import split_points

    parts = [split_points(t, sentences=True) or [t] for t in texts]
    flat = np.asarray(embedder.encode([p for ps in parts for p in ps]), dtype=np.float64)
    sentences, start = [], 0
    for ps in parts:
        sentences.append(flat[start : start + len(ps)])
        start += len(ps)
    longest = np.array([s[int(np.argmax([len(p) for p in ps]))] for s, ps in zip(sentences, parts, strict=True)])
    points = [split_points(t) or [t] for t in texts]
    main = [max(ps, key=len) for ps in points]
    ends = np.asarray(embedder.encode([ps[0] for ps in points] + main), dtype=np.float64)
    return PairInputs(answers=np.asarray(embedder.encode(list(texts)), dtype=np.float64), sentences=sentences,
                      longest=longest, concepts=[set(c) for c in concepts], first_point=ends[: len(texts)],
                      main_point=ends[len(texts) :])  # fmt: skip


def _rank(sim: np.ndarray) -> np.ndarray:
    """Each pair's neighbour rank as a fraction of the question's size (0: nearest), the worse of the two ways."""
    n = len(sim)
    s = sim.copy()
    np.fill_diagonal(s, -np.inf)
    order = np.argsort(-s, axis=1)
    ranks = np.empty_like(order)
    ranks[np.arange(n)[:, None], order] = np.arange(n)[None, :]
    return np.maximum(ranks, ranks.T) / max(n - 1, 1)


def pair_features(q: PairInputs) -> tuple[np.ndarray, np.ndarray]:
    """The pairs ``(i, j)``, i < j, of a question's answers and one row of features per pair (``FEATURES``)."""
    n = len(q.answers)
    i, j = np.triu_indices(n, k=1)
    cos = q.answers @ q.answers.T
    centred = q.answers - q.answers.mean(axis=0)
    centred /= np.linalg.norm(centred, axis=1, keepdims=True) + 1e-12
    ccos = centred @ centred.T  # what two answers share beyond what every answer to the question says
    z = (cos - cos[i, j].mean()) / (cos[i, j].std() + 1e-12)  # questions differ in how close all answers are
    best = np.zeros((n, n))
    for a in range(n):
        for b in range(a + 1, n):
            best[a, b] = best[b, a] = (q.sentences[a] @ q.sentences[b].T).max()
    first = np.array([s[0] for s in q.sentences])
    shared = np.array([[len(x & y) for y in q.concepts] for x in q.concepts], dtype=float)
    union = np.array([[len(x | y) for y in q.concepts] for x in q.concepts], dtype=float)
    jaccard = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
    default = answer_vectors(q.answers, q.concepts, CONCEPT_WEIGHT)  # the Ward grouping's representation
    dcos = default @ default.T
    raised = np.array([bool(c) for c in q.concepts])
    tfidf = answer_vectors(np.zeros((n, 1)), q.concepts, 1.0) * raised[:, None]  # the concepts alone (0: none)
    cols = [cos, ccos, z, _rank(cos), _rank(ccos), best, _rank(best), first @ first.T, q.longest @ q.longest.T,
            shared, jaccard, dcos, _rank(dcos), tfidf @ tfidf.T, q.first_point @ q.first_point.T,
            q.main_point @ q.main_point.T]  # fmt: skip
    return np.column_stack([i, j]), np.column_stack([c[i, j] for c in cols])


class PairSimilarity(ClassifierMixin, BaseEstimator):
    """p(same theme) of a pair of answers from its features: standardised, class-balanced logistic regression.

    ``C``: 0.1, the one of the variants measured (README) that agreed most with the editors.
    """

    def __init__(self, C: float = 0.1) -> None:
        self.C = C

    def fit(self, X: np.ndarray, y: np.ndarray) -> PairSimilarity:
        scaler = StandardScaler().fit(X)
        model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000).fit(scaler.transform(X), y)
        self.mean_, self.scale_ = scaler.mean_, scaler.scale_
        self.coef_, self.intercept_ = model.coef_[0], float(model.intercept_[0])
        self.classes_ = model.classes_
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-(((np.asarray(X) - self.mean_) / self.scale_) @ self.coef_ + self.intercept_)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]

    def to_dict(self) -> dict[str, Any]:
        return {"C": self.C, "mean": self.mean_.tolist(), "scale": self.scale_.tolist(),
                "coef": self.coef_.tolist(), "intercept": self.intercept_}  # fmt: skip

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PairSimilarity:
        model = cls(C=d["C"])
        model.mean_, model.scale_ = np.array(d["mean"]), np.array(d["scale"])
        model.coef_, model.intercept_ = np.array(d["coef"]), float(d["intercept"])
        model.classes_ = np.array([0, 1])
        return model


@dataclass(frozen=True)
class Shipped:
    """The fitted model, its threshold, the embedder it holds for and how many of ``FEATURES`` it reads (the first)."""

    model: PairSimilarity
    threshold: float
    backend: str
    dim: int
    cols: int = len(FEATURES)


@cache
def shipped(path: Path = MODEL_FILE) -> Shipped | None:
    """The model of ``MODEL_FILE`` (``None`` if there is none: the grouping falls back to Ward)."""
    if not path.is_file():
        return None
    d = json.loads(path.read_text(encoding="utf-8"))
    features = d.get("features") or []
    if features != list(FEATURES[: len(features)]):  # fitted on other features: not usable
        return None
    return Shipped(PairSimilarity.from_dict(d["model"]), float(d["threshold"]), d["backend"], int(d["dim"]),
                   len(features))  # fmt: skip


def cluster_pairs(n: int, pairs: np.ndarray, p: np.ndarray, threshold: float, max_theme: int) -> np.ndarray:
    """Clusters (0, 1, …; ``-1`` alone): ``LINKAGE`` on 1 - p cut at ``1 - threshold``, none above ``max_theme``."""
    dist = np.zeros((n, n))
    dist[pairs[:, 0], pairs[:, 1]] = dist[pairs[:, 1], pairs[:, 0]] = 1.0 - p
    raw = fcluster(linkage(squareform(dist, checks=False), method=LINKAGE), t=1.0 - threshold,
                   criterion="distance") - 1  # fmt: skip

    def halve(idx: np.ndarray) -> np.ndarray:  # along the cluster's own tree
        sub = squareform(dist[np.ix_(idx, idx)], checks=False)
        return fcluster(linkage(sub, method=LINKAGE), t=2, criterion="maxclust") - 1

    return quotable_themes(raw, halve, max_theme)
