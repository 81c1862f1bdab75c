"""``FactorClassifier``: multi-label RAD factors for free text in en, fr, es, pt.

The codebook is the backbone: concept hits (language-independent) are features
beside lemma n-grams and character n-grams, all combined in a scikit-learn
``Pipeline``. One logistic regression per factor plus one for ``other`` (answers
about none of the ten: praise, the WCO's role, exchanges between
administrations). Per-label thresholds are tuned on out-of-fold probabilities,
so the model is not judged on what it has memorised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from analysis.factors import FACTOR_IDS, OTHER
from analysis.features import AnalysedText, analyse, build_features, feature_names
from analysis.language import detect_language
from analysis.segment import split_points

LABELS: tuple[str, ...] = (*FACTOR_IDS, OTHER)
THRESHOLD_GRID = np.round(np.arange(0.10, 0.91, 0.025), 3)


def to_indicator(labels: Sequence[Sequence[str]] | np.ndarray) -> np.ndarray:
    """Label lists (``[["hrm"], ["other"]]``) or an (n, 10) indicator matrix -> (n, 10) ints."""
    if isinstance(labels, np.ndarray) and labels.ndim == 2:
        if labels.shape[1] != len(FACTOR_IDS):
            raise ValueError(f"E301: Y has {labels.shape[1]} columns, expected {len(FACTOR_IDS)} (one per factor)")
        return labels.astype(int)
    out = np.zeros((len(labels), len(FACTOR_IDS)), dtype=int)
    index = {f: i for i, f in enumerate(FACTOR_IDS)}
    for row, ls in enumerate(labels):
        for label in ls:
            if label == OTHER:
                continue
            if label not in index:
                raise ValueError(f"E302: unknown label {label!r} in row {row}")
            out[row, index[label]] = 1
    return out


def _best_threshold(y: np.ndarray, p: np.ndarray, floor: float) -> float:
    best_t, best_f1 = 0.5, -1.0
    for t in THRESHOLD_GRID:
        if t < floor:
            continue
        pred = p >= t
        tp = float(np.sum(pred & (y == 1)))
        f1 = 2 * tp / max(1.0, float(pred.sum() + y.sum()))
        if f1 > best_f1 + 1e-9:
            best_t, best_f1 = float(t), f1
    return best_t


class FactorClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label classifier of free text into the 10 RAD factors (``other`` when none applies).

    ``fit(texts, Y)`` takes texts and either label lists or an (n, 10) indicator
    matrix in :data:`analysis.FACTOR_IDS` order. ``predict`` returns that matrix;
    ``predict_labels`` the label lists (``["other"]`` for none); ``predict_primary``
    the top factor. ``langs`` may be passed to skip language detection.
    """

    def __init__(self, C: float = 4.0, concept_weight: float = 1.0, char_ngrams: bool = True,
                 lemma_ngrams: bool = True, cv: int = 5, min_threshold: float = 0.15,
                 split_lists: bool = True, codebook_path: str | None = None,
                 random_state: int = 0) -> None:  # fmt: skip
        self.C = C
        self.concept_weight = concept_weight
        self.char_ngrams = char_ngrams
        self.lemma_ngrams = lemma_ngrams
        self.cv = cv
        self.min_threshold = min_threshold
        self.split_lists = split_lists
        self.codebook_path = codebook_path
        self.random_state = random_state

    # -- fitting -------------------------------------------------------------------
    def _model(self) -> Pipeline:
        features = build_features(self.concept_weight, self.char_ngrams, self.lemma_ngrams, self.codebook_path)
        clf = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", max_iter=2000)
        return Pipeline([("features", features), ("clf", OneVsRestClassifier(clf))])

    def fit(self, X: Sequence[str], Y: Any, langs: Sequence[str] | None = None) -> FactorClassifier:
        texts = _as_texts(X)
        indicator = to_indicator(Y)
        if len(texts) != len(indicator):
            raise ValueError(f"E303: {len(texts)} texts but {len(indicator)} label rows")
        targets = np.column_stack([indicator, (indicator.sum(axis=1) == 0).astype(int)])
        docs = analyse(texts, langs, self.codebook_path)
        self.thresholds_ = self._tune_thresholds(docs, targets)
        self.model_ = self._model().fit(docs, targets)
        self.classes_ = np.array(FACTOR_IDS)
        self.n_features_in_ = 1
        return self

    def _tune_thresholds(self, docs: list[AnalysedText], targets: np.ndarray) -> np.ndarray:
        folds = min(self.cv, int(targets.sum(axis=0)[targets.sum(axis=0) > 0].min()), len(docs))
        if folds < 2:
            return np.full(len(LABELS), 0.5)
        oof = cross_val_predict(self._model(), docs, targets,
                                cv=KFold(folds, shuffle=True, random_state=self.random_state),
                                method="predict_proba")  # fmt: skip
        return np.array([_best_threshold(targets[:, j], oof[:, j], self.min_threshold) for j in range(len(LABELS))])

    # -- prediction ----------------------------------------------------------------
    def _all_proba(self, X: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        check_is_fitted(self, ["model_", "thresholds_"])
        texts = _as_texts(X)
        langs = list(langs) if langs is not None else detect_language(texts)
        proba = self.model_.predict_proba(analyse(texts, langs, self.codebook_path))
        if not self.split_lists:
            return proba
        # A list answer is about each of its points: a factor counts when the whole
        # answer or any single point supports it; "other" is judged on the whole.
        owners, points, point_langs = [], [], []
        for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
            parts = split_points(text)
            if len(parts) > 1:
                owners += [i] * len(parts)
                points += parts
                point_langs += [lang] * len(parts)
        if points:
            point_proba = self.model_.predict_proba(analyse(points, point_langs, self.codebook_path))
            for owner, row in zip(owners, point_proba, strict=True):
                proba[owner, :-1] = np.maximum(proba[owner, :-1], row[:-1])
        return proba

    def predict_proba(self, X: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        """(n, 10) probabilities, one column per factor (not normalised: labels are independent)."""
        return self._all_proba(X, langs)[:, : len(FACTOR_IDS)]

    def _decide(self, proba: np.ndarray) -> np.ndarray:
        factors = proba[:, : len(FACTOR_IDS)]
        passing = factors >= self.thresholds_[: len(FACTOR_IDS)]
        p_other = proba[:, -1]
        # "other" wins when it is confident and more likely than any factor.
        other_wins = (p_other >= self.thresholds_[-1]) & (p_other > factors.max(axis=1))
        passing[other_wins] = False
        return passing.astype(int)

    def predict(self, X: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self._decide(self._all_proba(X, langs))

    def predict_labels(self, X: Sequence[str], langs: Sequence[str] | None = None) -> list[list[str]]:
        """Label lists, most probable first; ``["other"]`` when no factor applies."""
        return self.predict_labels_and_proba(X, langs)[0]

    def predict_labels_and_proba(
        self, X: Sequence[str], langs: Sequence[str] | None = None
    ) -> tuple[list[list[str]], np.ndarray]:
        """Label lists and the (n, 10) factor probabilities from one pass over the texts."""
        proba = self._all_proba(X, langs)
        decided = self._decide(proba)
        out = []
        for row, p in zip(decided, proba, strict=True):
            chosen = [j for j in np.argsort(-p[: len(FACTOR_IDS)]) if row[j]]
            out.append([FACTOR_IDS[j] for j in chosen] or [OTHER])
        return out, proba[:, : len(FACTOR_IDS)]

    def predict_primary(self, X: Sequence[str], langs: Sequence[str] | None = None) -> list[str]:
        return [labels[0] for labels in self.predict_labels(X, langs)]

    def explain(self, text: str, lang: str | None = None, top: int = 5) -> dict[str, list[str]]:
        """Evidence per predicted factor: codebook concepts found and the strongest weighted terms."""
        check_is_fitted(self, ["model_", "thresholds_"])
        [doc] = analyse([text], [lang] if lang else None, self.codebook_path)
        labels = self.predict_labels([text], [doc.lang])[0]
        features = self.model_.named_steps["features"]
        vector = features.transform([doc])
        names = feature_names(features)
        estimators = self.model_.named_steps["clf"].estimators_
        evidence: dict[str, list[str]] = {}
        for label in labels:
            j = LABELS.index(label)
            concepts = [f"concept:{h.concept} ({h.term})" for h in doc.hits if h.factor == label]
            contrib = vector.multiply(estimators[j].coef_).tocsr()
            order = np.argsort(-contrib.toarray().ravel())[:top]
            terms = [names[k] for k in order if contrib[0, k] > 0 and not names[k].startswith("concepts:")]
            evidence[label] = list(dict.fromkeys(concepts + terms))
        return evidence

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


def _as_texts(X: Any) -> list[str]:
    if isinstance(X, str):
        raise ValueError("E304: expected a sequence of texts, got a single string")
    return ["" if x is None else str(x) for x in X]
