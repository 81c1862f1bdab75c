"""``FactorClassifier``: multi-label RAD factors for free text in en, fr, es, pt.

The codebook is the backbone: concept hits (language-independent) are features
beside lemma n-grams and character n-grams, all combined in a scikit-learn
``Pipeline``. One logistic regression per factor plus one for ``other`` (answers
about none of the ten: praise, the WCO's role, exchanges between
administrations). Per-label thresholds are tuned on out-of-fold probabilities,
so the model is not judged on what it has memorised. The primary factor is then
chosen by a second stage (:class:`analysis.chooser.PrimaryChooser`) learned on the same
out-of-fold outputs together with the codebook evidence (how many hits, where the
first one falls), because "which factor is the answer mainly about" depends on
where and how often it is named, which independent per-factor probabilities ignore.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from analysis.chooser import LABELS, PrimaryChooser, decide_labels
from analysis.embedding_block import EmbeddingBlock, NeighbourPrimaries, blend, check_weight, embed
from analysis.errors import Errors
from analysis.factors import FACTOR_IDS
from analysis.features import AnalysedText, analyse, build_features, feature_names
from analysis.folds import by_question, folds_of, split_units
from analysis.label_codes import primary_index, to_indicator
from analysis.language import given_or_detected
from analysis.linear import canonical, label_regressions
from analysis.points import points_of, score_points
from analysis.primary_model import DirectPrimary

THRESHOLD_GRID = np.round(np.arange(0.10, 0.91, 0.025), 3)
_F = len(FACTOR_IDS)


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
    ``predict_labels`` the label lists (``["other"]`` for none), primary first;
    ``predict_primary`` the primary label. ``langs`` may be passed to skip language
    detection. The primary of a training answer is the first of its label list (or
    ``primary=``); with an indicator matrix only single-label rows teach the chooser.

    ``point_primary``: the chooser also reads how much of the answer each label's points
    develop (:mod:`analysis.points`), so the primary is the point developed most, not the
    first factor word; ``sentences``: those points also end with their sentences.
    ``other_from_chooser``: an answer whose chosen primary is ``other`` loses its factors (programme
    talk that names a measure in passing: "the workshop on training").
    ``embeddings``: None (off), a backend name ("e5") or an object with ``encode(texts)``; its
    per-label regression (``embeddings_C``) is blended in with ``embeddings_weight``
    (:mod:`analysis.embedding_block`); ``embeddings_center``: each language's mean vector is
    subtracted first; ``embeddings_points``: the points of an answer are embedded and blended too.
    ``neighbours``: k > 0 adds to the chooser's score of each candidate primary ``neighbours_weight`` times
    the share of the answer's k nearest training answers in *other* languages (the block's vectors)
    whose primary it is (:class:`analysis.embedding_block.NeighbourPrimaries`); needs ``embeddings``.
    ``neighbours_words``: n > 0 scales that say by min(1, words / n) (:func:`word_count`): a bare request
    ("more training") is nearest to programme answers about workshops, coded ``other``, and they would
    outvote a confident factor.
    ``primary_weight``: w > 0 adds to the chooser's score of each candidate primary w times its log-probability by
    a regression learned on the primaries themselves (:class:`analysis.primary_model.DirectPrimary`, on the n-gram
    features, ``primary_C``, and the embedding block's vectors when there are any): the chooser ranks labels
    learned one by one, this regression asks directly which one the answer is mainly about.
    ``question_folds``: the out-of-fold outputs that thresholds and chooser learn from are cut by the question
    answered (``questions=`` at fit; answers without one keep their group), so each comes from a model that
    never saw an answer to that question, as every answer of a new campaign is.
    """

    def __init__(self, C: float = 4.0, concept_weight: float = 1.0, char_ngrams: bool = True,
                 lemma_ngrams: bool = True, cv: int = 5, min_threshold: float = 0.15,
                 split_lists: bool = True, codebook_path: str | None = None,
                 primary_chooser: bool = True, chooser_C: float = 1.0, sentences: bool = False,
                 point_primary: bool = True, other_from_chooser: bool = True,
                 embeddings: Any = None, embeddings_weight: float = 0.5, embeddings_C: float = 10.0,
                 embeddings_center: bool = False, embeddings_points: bool = False,
                 neighbours: int = 0, neighbours_weight: float = 4.0, neighbours_words: int = 0,
                 primary_weight: float = 0.0, primary_C: float = 4.0,
                 question_folds: bool = False, random_state: int = 0) -> None:  # fmt: skip
        self.C = C
        self.concept_weight = concept_weight
        self.char_ngrams = char_ngrams
        self.lemma_ngrams = lemma_ngrams
        self.cv = cv
        self.min_threshold = min_threshold
        self.split_lists = split_lists
        self.codebook_path = codebook_path
        self.primary_chooser = primary_chooser
        self.chooser_C = chooser_C
        self.sentences = sentences
        self.point_primary = point_primary
        self.other_from_chooser = other_from_chooser
        self.embeddings = embeddings
        self.embeddings_weight = embeddings_weight
        self.embeddings_C = embeddings_C
        self.embeddings_center = embeddings_center
        self.embeddings_points = embeddings_points
        self.neighbours = neighbours
        self.neighbours_weight = neighbours_weight
        self.neighbours_words = neighbours_words
        self.primary_weight = primary_weight
        self.primary_C = primary_C
        self.question_folds = question_folds
        self.random_state = random_state

    # -- fitting -------------------------------------------------------------------
    def _model(self) -> Pipeline:
        features = build_features(self.concept_weight, self.char_ngrams, self.lemma_ngrams, self.codebook_path)
        return Pipeline([("features", features), ("clf", label_regressions(self.C))])

    def fit(
        self,
        X: Sequence[str],
        Y: Any,
        langs: Sequence[str] | None = None,
        primary: Sequence[str] | None = None,
        groups: Sequence[str | None] | None = None,
        questions: Sequence[str | None] | None = None,
    ) -> FactorClassifier:
        """``groups``: answers sharing a group id (one meaning in several languages) stay in one fold;
        ``questions``: the question each answer answers (None: unknown), read with ``question_folds``."""
        texts = _as_texts(X)
        indicator = to_indicator(Y)
        if len(texts) != len(indicator):
            raise ValueError(Errors.E303.format(n_texts=len(texts), n_rows=len(indicator)))
        targets = np.column_stack([indicator, (indicator.sum(axis=1) == 0).astype(int)])
        if self.primary_weight < 0:
            raise ValueError(Errors.E309.format(weight=self.primary_weight))
        langs = given_or_detected(texts, langs)
        docs = analyse(texts, langs, self.codebook_path)
        vectors = None
        if self.neighbours and self.embeddings is None:
            raise ValueError("neighbours needs embeddings (the neighbours are found on the embedding block's vectors)")
        if self.embeddings is not None:
            check_weight(self.embeddings_weight)
            vectors = embed(texts, self.embeddings, seed=True)  # the training texts' vectors ship with the package
        folds = by_question(groups, questions, len(texts)) if self.question_folds and questions is not None else groups
        oof, oof_developed = self._oof_proba(texts, langs, docs, targets, folds, vectors)
        known = primary_index(Y, indicator, primary)
        if oof is None:
            self.thresholds_, self.chooser_ = np.full(len(LABELS), 0.5), None
        else:
            # Thresholds and chooser see the same kind of probabilities as prediction
            # (list answers split into points), but out of fold.
            self.thresholds_ = np.array([_best_threshold(targets[:, j], oof[:, j], self.min_threshold)
                                         for j in range(len(LABELS))])  # fmt: skip
            self.chooser_ = None
            if self.primary_chooser and (known >= 0).any():
                self.chooser_ = PrimaryChooser(self.chooser_C).fit(oof, docs, self.thresholds_, known, oof_developed)
        self.model_ = self._model()
        # As Pipeline.fit does; canonical once, so the label fits make no copy and the direct primary reads the same.
        features = canonical(self.model_[:-1].fit_transform(docs))
        self.model_[-1].fit(features, targets)
        self.embedding_model_ = None if vectors is None else self._block(vectors, targets, langs)
        # The vectors as the block reads them, centred once: the neighbours and the direct primary both learn on them.
        centred = None if self.embedding_model_ is None else self.embedding_model_.transform(vectors, langs)
        self.neighbours_ = None
        if self.neighbours and self.chooser_ is None:
            # Their say is added to the chooser's scores; without a chooser the primary is the most
            # probable factor, on another scale, so they would not mean what they say: not used.
            warnings.warn("neighbours are not used: no primary chooser was fitted (too few answers or no "
                          "primaries, or primary_chooser=False)", stacklevel=2)  # fmt: skip
        elif self.neighbours and centred is not None:
            self.neighbours_ = NeighbourPrimaries(self.neighbours).fit(centred, langs, known, len(LABELS))
        self.primary_model_ = self._direct_primary(features, centred, known)
        self.classes_ = np.array(FACTOR_IDS)
        self.n_features_in_ = 1
        return self

    def _direct_primary(self, features: Any, centred: np.ndarray | None, known: np.ndarray) -> DirectPrimary | None:
        """The regression of primaries (``primary_weight``) on the whole training data's ``features``; None when off.
        Its feature space is kept (``primary_features_``): a model whose label regressions are refitted on other
        columns (``analysis.adapt``) still gives it the columns it learned on."""
        if not self.primary_weight:
            return None
        if self.chooser_ is None or len(np.unique(known[known >= 0])) < 2:
            # Its say is added to the chooser's scores, as the neighbours' is: without a chooser it would not be
            # read; with one primary only there is nothing to choose between.
            warnings.warn("primary_weight is not used: no primary chooser was fitted, or the training answers "
                          "have fewer than two primaries", stacklevel=3)  # fmt: skip
            return None
        self.primary_features_ = self.model_.named_steps["features"]
        return DirectPrimary(len(LABELS), C=self.primary_C).fit(features, known, centred)

    def _oof_proba(self, texts: list[str], langs: list[str], docs: list[AnalysedText], targets: np.ndarray,
                   groups: Sequence[str | None] | None, vectors: np.ndarray | None = None,
                   ) -> tuple[np.ndarray | None, np.ndarray | None]:  # fmt: skip
        units = len(set(split_units(len(docs), groups)))  # translations of one answer count once
        folds = min(self.cv, int(targets.sum(axis=0)[targets.sum(axis=0) > 0].min()), units)
        if folds < 2:
            return None, None
        oof, developed = np.zeros(targets.shape), np.zeros(targets.shape)
        for train, test in folds_of(len(docs), folds, groups, self.random_state):
            model = self._model().fit([docs[i] for i in train], targets[train])
            block = None if vectors is None else self._block(vectors[train], targets[train], [langs[i] for i in train])
            oof[test], _, part, _ = self._proba(model, [texts[i] for i in test], [langs[i] for i in test],
                                                block, None if vectors is None else vectors[test])  # fmt: skip
            developed[test] = part if part is not None else 0.0
        return oof, (developed if self.point_primary else None)

    def _block(self, vectors: np.ndarray, targets: np.ndarray, langs: list[str]) -> EmbeddingBlock:
        return EmbeddingBlock(self.embeddings_C, self.embeddings_center).fit(vectors, targets, langs)

    # -- prediction ----------------------------------------------------------------
    def _proba(self, model: Pipeline, texts: list[str], langs: list[str], block: Any = None,
               vectors: np.ndarray | None = None,
               ) -> tuple[np.ndarray, list[AnalysedText], np.ndarray | None, Any]:  # fmt: skip
        """Probabilities (list points included), analysed texts, developed shares (None unless ``point_primary``)
        and the answers' n-gram features (computed once: the probabilities and the direct primary read them)."""
        docs = analyse(texts, langs, self.codebook_path)
        features = model[:-1].transform(docs)
        proba = model[-1].predict_proba(features)
        on_points = None
        if block is not None and vectors is not None:
            proba = blend(proba, block, vectors, self.embeddings_weight, langs)
            if getattr(self, "embeddings_points", False):

                def on_points(p: np.ndarray, ts: list[str], ls: list[str]) -> np.ndarray:
                    return blend(p, block, embed(ts, self.embeddings), self.embeddings_weight, ls)

        point_primary = self.point_primary
        if not self.split_lists and not point_primary:
            return proba, docs, None, features
        proba, developed = score_points(model, texts, langs, proba, self.codebook_path, lists=self.split_lists,
                                        sentences=point_primary and self.sentences, blend=on_points)  # fmt: skip
        return proba, docs, (developed if point_primary else None), features

    def _all_proba(self, X: Sequence[str], langs: Sequence[str] | None = None,
                   ) -> tuple[np.ndarray, list[AnalysedText], np.ndarray | None, np.ndarray | None]:  # fmt: skip
        """Probabilities, analysed texts, developed shares and the say added to the chooser's scores (the
        neighbours' and the direct primary's; None when both are off)."""
        proba, docs, developed, neighbours, direct = self._outputs(X, langs)
        if neighbours is None or direct is None:
            return proba, docs, developed, (direct if neighbours is None else neighbours)
        return proba, docs, developed, neighbours + direct

    def _outputs(self, X: Sequence[str], langs: Sequence[str] | None = None) -> tuple[Any, ...]:
        """As :meth:`_all_proba`, the two says apart: (probabilities, texts, developed shares, the neighbours'
        say, the direct primary's say), each say None when off."""
        check_is_fitted(self, ["model_", "thresholds_"])
        texts = _as_texts(X)
        langs = given_or_detected(texts, langs)
        block = getattr(self, "embedding_model_", None)  # absent from models pickled before the block
        vectors = None if block is None else embed(texts, self.embeddings)
        centred = None if vectors is None else block.transform(vectors, langs)
        neighbours = getattr(self, "neighbours_", None)
        say = None
        if neighbours is not None and centred is not None:
            say = self.neighbours_weight * neighbours.shares(centred, langs)
            if getattr(self, "neighbours_words", 0):  # absent from models pickled before it
                say *= np.minimum(1.0, [word_count(t) / self.neighbours_words for t in texts])[:, None]
        proba, docs, developed, features = self._proba(self.model_, texts, langs, block, vectors)
        return proba, docs, developed, say, self._direct_say(docs, features, centred)

    def _direct_say(self, docs: list[AnalysedText], features: Any, centred: np.ndarray | None) -> np.ndarray | None:
        """``primary_weight`` times the direct primary's log-probabilities (None when off); ``features``: the
        answers' columns in ``model_``'s feature space, recomputed in the direct primary's own when they differ."""
        direct = getattr(self, "primary_model_", None)  # absent from models pickled before it
        if direct is None:
            return None
        own = self.primary_features_
        if own is not self.model_.named_steps["features"]:
            features = own.transform(docs)
        return self.primary_weight * direct.log_proba(features, centred)

    def embedded_texts(self, X: Sequence[str]) -> list[str]:
        """The distinct texts whose vectors classifying ``X`` reads: the answers, and their points with
        ``embeddings_points`` (what is embedded ahead of a report); none without embeddings."""
        if self.embeddings is None:
            return []
        texts = _as_texts(X)
        wanted = dict.fromkeys(texts)
        if getattr(self, "embeddings_points", False) and (self.split_lists or self.point_primary):
            for parts in (part for lists in points_of(texts, self.split_lists, self.point_primary and self.sentences)
                          for part in lists):  # fmt: skip
                if len(parts) > 1:
                    wanted.update(dict.fromkeys(parts))
        return list(wanted)

    def predict_proba(self, X: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        """(n, 10) probabilities, one column per factor (not normalised: labels are independent)."""
        return self._all_proba(X, langs)[0][:, :_F]

    def chooser_scores(self, proba: np.ndarray, docs: Sequence[AnalysedText], developed: np.ndarray | None = None,
                       say: np.ndarray | None = None) -> np.ndarray | None:  # fmt: skip
        """(n, 11) scores of each candidate primary (None without a chooser), ``say`` (the neighbours' and the
        direct primary's) added."""
        chooser = getattr(self, "chooser_", None)
        if chooser is None:
            return None
        rank = chooser.scores(proba, docs, self.thresholds_, developed)
        return rank if say is None else rank + say

    def _decide(
        self,
        proba: np.ndarray,
        docs: Sequence[AnalysedText],
        developed: np.ndarray | None = None,
        say: np.ndarray | None = None,
    ) -> list[list[str]]:
        """Label lists, primary first: the factors passing their thresholds, then the chooser's say."""
        scored = self.chooser_scores(proba, docs, developed, say)
        return decide_labels(proba, scored, self.thresholds_, other_from_chooser=self.other_from_chooser)

    def predict(self, X: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return to_indicator(self.predict_labels(X, langs))

    def predict_labels(self, X: Sequence[str], langs: Sequence[str] | None = None) -> list[list[str]]:
        """Label lists, primary first; ``["other"]`` when no factor applies."""
        return self.predict_labels_and_proba(X, langs)[0]

    def predict_labels_and_proba(
        self, X: Sequence[str], langs: Sequence[str] | None = None
    ) -> tuple[list[list[str]], np.ndarray]:
        """Label lists and the (n, 10) factor probabilities from one pass over the texts."""
        proba, docs, developed, say = self._all_proba(X, langs)
        return self._decide(proba, docs, developed, say), proba[:, :_F]

    def predict_primary(self, X: Sequence[str], langs: Sequence[str] | None = None) -> list[str]:
        return [labels[0] for labels in self.predict_labels(X, langs)]

    def explain(self, text: str, lang: str | None = None, top: int = 5,
                labels: Sequence[str] | None = None) -> dict[str, list[str]]:  # fmt: skip
        """Evidence per predicted factor: codebook concepts found and the strongest weighted terms.

        ``labels``: the text's labels when the caller has predicted them already (the model is
        then not run a second time on the text).
        """
        check_is_fitted(self, ["model_", "thresholds_"])
        [doc] = analyse([text], [lang] if lang else None, self.codebook_path)
        if labels is None:
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


def word_count(text: str) -> int:
    """Words of an answer, as the neighbours' say for short answers counts them."""
    return len(re.findall(r"\w+", text))


def _as_texts(X: Any) -> list[str]:
    if isinstance(X, str):
        raise ValueError(Errors.E304)
    return ["" if x is None else str(x) for x in X]
