"""Learning from reviewers' decisions, and how sure the model is (for a "least sure first" queue).

:class:`AdaptedClassifier` takes a fitted :class:`~analysis.classify.FactorClassifier` and the
answers people reviewed in one administration, and refits the feature vocabularies and the one
logistic regression per label on the base training set plus the reviewed answers, these
weighted ``weight`` times (so a word only this administration uses becomes a feature). The
per-label thresholds and the primary chooser stay the base model's: a few dozen answers cannot
re-tune them without overfitting, and they come from the base fit's cross-validation, which is
what makes a full fit take minutes where this takes seconds. Whether it helps is measured, not
assumed: ``python -m analysis.learning_curve``.

:func:`confidence` is the model's own sureness about each answer's whole coding: the
distance of every label's probability from its threshold and the primary chooser's lead, in
logits, mapped through a :class:`ConfidenceCalibrator` (isotonic regression, fitted on a
development set) to the chance that the coding needs no correction. :func:`least_sure_first`
orders a queue by it.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, clone
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from analysis.chooser import _logit
from analysis.classify import FactorClassifier
from analysis.errors import Errors
from analysis.factors import FACTOR_IDS
from analysis.features import analyse
from analysis.label_codes import primary_index, to_indicator
from analysis.language import detect_language, given_or_detected

if TYPE_CHECKING:
    from analysis.evaluate import Example


class AdaptedClassifier(BaseEstimator):
    """A fitted ``FactorClassifier`` whose label models were refitted with reviewed answers.

    ``fit(X, Y, langs=None, primary=None)`` takes the reviewed answers (texts and label lists,
    primary first, as ``FactorClassifier.fit``) and needs the base model's training set:
    ``background`` = ``(texts, label lists, langs)`` (the shipped corpus when None). It offers
    the base model's prediction methods. With no reviewed answer it predicts as the base.
    """

    def __init__(self, base: FactorClassifier, weight: float = 3.0, refit_features: bool = True,
                 background: tuple[Sequence[str], Sequence[Sequence[str]], Sequence[str]] | None = None,
                 ) -> None:  # fmt: skip
        self.base = base
        self.weight = weight
        self.refit_features = refit_features
        self.background = background

    def fit(self, X: Sequence[str], Y: Any, langs: Sequence[str] | None = None,
            primary: Sequence[str] | None = None) -> AdaptedClassifier:  # fmt: skip
        check_is_fitted(self.base, ["model_", "thresholds_"])
        texts = [str(x) for x in X]
        indicator = to_indicator(Y)
        if len(texts) != len(indicator):
            raise ValueError(Errors.E303.format(n_texts=len(texts), n_rows=len(indicator)))
        if primary is not None:
            primary_index(Y, indicator, primary)  # the same checks as the base's fit (E305, E307)
        self.model_ = self.base.model_
        self.n_reviewed_ = len(texts)
        if texts:
            langs = given_or_detected(texts, langs)
            bg_texts, bg_labels, bg_langs = self.background or _shipped_corpus()
            docs = analyse(list(bg_texts), list(bg_langs), self.base.codebook_path)
            docs += analyse(texts, langs, self.base.codebook_path)
            model = copy.deepcopy(self.base.model_)
            if self.refit_features:  # words of this administration the corpus never used get a column
                model.steps[0] = ("features", clone(model.named_steps["features"]))
                matrix = model.named_steps["features"].fit_transform(docs)
            else:
                matrix = model.named_steps["features"].transform(docs)
            matrix = sparse.csr_matrix(matrix)
            targets = np.vstack([_targets(to_indicator(bg_labels)), _targets(indicator)])
            weights = np.concatenate([np.ones(len(bg_texts)), np.full(len(texts), float(self.weight))])
            ovr = model.named_steps["clf"]
            for j, old in enumerate(ovr.estimators_):
                if len(np.unique(targets[:, j])) < 2:  # a label nobody ever used keeps its base model
                    continue
                fresh = LogisticRegression(**old.get_params())
                ovr.estimators_[j] = fresh.fit(matrix, targets[:, j], sample_weight=weights)
            self.model_ = model
        self.thresholds_ = self.base.thresholds_
        self.chooser_ = getattr(self.base, "chooser_", None)
        self.classes_ = self.base.classes_
        return self

    def _view(self) -> FactorClassifier:
        """The base classifier with this model's label models: its prediction code, unchanged."""
        check_is_fitted(self, ["model_"])
        view = copy.copy(self.base)
        view.model_ = self.model_
        return view

    def predict_labels(self, X: Sequence[str], langs: Sequence[str] | None = None) -> list[list[str]]:
        return self._view().predict_labels(X, langs)

    def predict_labels_and_proba(self, X: Sequence[str], langs: Sequence[str] | None = None,
                                 ) -> tuple[list[list[str]], np.ndarray]:  # fmt: skip
        return self._view().predict_labels_and_proba(X, langs)

    def predict_primary(self, X: Sequence[str], langs: Sequence[str] | None = None) -> list[str]:
        return self._view().predict_primary(X, langs)

    def predict(self, X: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self._view().predict(X, langs)

    def predict_proba(self, X: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self._view().predict_proba(X, langs)


def _targets(indicator: np.ndarray) -> np.ndarray:
    """Ten factor columns plus ``other`` (no factor), as the base model learns them."""
    return np.column_stack([indicator, (indicator.sum(axis=1) == 0).astype(int)])


def _shipped_corpus() -> tuple[list[str], list[list[str]], list[str | None]]:
    from analysis.default_model import CORPUS_PATH
    from analysis.evaluate import load_examples

    examples = load_examples(CORPUS_PATH)
    langs = [e.lang for e in examples]
    if any(lang is None for lang in langs):
        detected = detect_language([e.text for e in examples])
        langs = [lang or d for lang, d in zip(langs, detected, strict=True)]
    return [e.text for e in examples], [list(e.labels) for e in examples], langs


# -- how sure the model is ---------------------------------------------------------------


def margins(model: FactorClassifier | AdaptedClassifier, X: Sequence[str],
            langs: Sequence[str] | None = None) -> tuple[list[list[str]], np.ndarray]:  # fmt: skip
    """Each answer's labels and its (n, 2) margins in logits: the label closest to its threshold, the chooser's lead.

    Both are 0 when the model is torn and grow with its certainty; the chooser's lead is the
    gap between its best and second-best candidate primary (the same as the first when there is
    no chooser).
    """
    labels, _, m = read(model, X, langs)
    return labels, m


def read(model: FactorClassifier | AdaptedClassifier, X: Sequence[str],
         langs: Sequence[str] | None = None) -> tuple[list[list[str]], np.ndarray, np.ndarray]:  # fmt: skip
    """One pass of the model over ``X``: each answer's labels (primary first), its (n, 10) factor
    probabilities (as ``predict_labels_and_proba``) and its (n, 2) margins (see :func:`margins`),
    for a caller that needs them all without running the model once for each."""
    view = model._view() if isinstance(model, AdaptedClassifier) else model
    proba, docs, developed, say = view._all_proba(X, langs)
    labels = view._decide(proba, docs, developed, say)
    label_margin = np.abs(_logit(proba) - _logit(view.thresholds_)).min(axis=1)
    chooser_scores = view.chooser_scores(proba, docs, developed, say)
    if chooser_scores is None:
        lead = label_margin
    else:
        scores = np.sort(chooser_scores, axis=1)
        lead = scores[:, -1] - scores[:, -2]
    return labels, proba[:, : len(FACTOR_IDS)], np.column_stack([label_margin, lead])


class ConfidenceCalibrator(BaseEstimator):
    """Margins -> the chance that the model's whole coding of an answer is right.

    A logistic regression on the two margins ranks answers; isotonic regression on its score,
    fitted on answers whose coding is known (a development set), makes the number a frequency:
    of answers given 0.7, about 70 % were coded right there.
    """

    def fit(self, margins: np.ndarray, correct: Sequence[bool]) -> ConfidenceCalibrator:
        y = np.asarray(correct, dtype=int)
        self.ranker_ = LogisticRegression().fit(np.log1p(margins), y)
        score = self.ranker_.decision_function(np.log1p(margins))
        self.isotonic_ = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(score, y)
        return self

    def predict(self, margins: np.ndarray) -> np.ndarray:
        check_is_fitted(self, ["ranker_", "isotonic_"])
        return self.isotonic_.predict(self.ranker_.decision_function(np.log1p(margins)))


def correct_codings(pred: Sequence[Sequence[str]], gold: Sequence[Sequence[str]],
                    gold_primary: Sequence[str]) -> list[bool]:  # fmt: skip
    """Whether each predicted coding needs no correction: the same label set and the same primary."""
    return [set(p) == set(g) and p[0] == gp for p, g, gp in zip(pred, gold, gold_primary, strict=True)]


def least_sure_first(confidence: Sequence[float | None]) -> list[int]:
    """Indices of a queue, least sure first; answers without a confidence come last, in their order."""
    known = [i for i, c in enumerate(confidence) if c is not None and not np.isnan(c)]
    unknown = [i for i, c in enumerate(confidence) if c is None or np.isnan(c)]
    return sorted(known, key=lambda i: (confidence[i], i)) + unknown


def fit_calibrator(model: FactorClassifier | AdaptedClassifier, examples: Sequence[Example]) -> ConfidenceCalibrator:
    """A calibrator fitted on how often the model's coding of labelled ``examples`` was right."""
    labels, m = margins(model, [e.text for e in examples], [e.lang for e in examples])
    return ConfidenceCalibrator().fit(m, correct_codings(labels, [e.labels for e in examples],
                                                          [e.primary for e in examples]))  # fmt: skip


def fit_calibrator_on(model: FactorClassifier, paths: Sequence[Path]) -> ConfidenceCalibrator:
    """A calibrator for ``model`` (the shipped one) from the labelled files ``paths``, each read by a model
    that was not trained on it: ``model`` itself, or the shipped settings fitted without those files."""
    from analysis.default_model import TRAINING_PATHS, fit_examples, training_examples
    from analysis.evaluate import load_examples

    if not paths:
        raise ValueError("fit_calibrator_on needs at least one labelled file")
    # Resolved, so that a training set spelt another way (relative, with "..") is still recognised.
    trained = {path.resolve(): path for path in TRAINING_PATHS}
    resolved = [Path(p).resolve() for p in paths]
    seen = [trained[r] for r in resolved if r in trained]
    readers = [(model, [p for p, r in zip(paths, resolved, strict=True) if r not in trained])]
    if seen:
        readers.append((fit_examples(training_examples(exclude=seen)), seen))
    parts, correct = [], []
    for reader, files in readers:
        examples = [e for p in files for e in load_examples(p)]
        if not examples:
            continue
        labels, m = margins(reader, [e.text for e in examples], [e.lang for e in examples])
        parts.append(m)
        correct += correct_codings(labels, [e.labels for e in examples], [e.primary for e in examples])
    return ConfidenceCalibrator().fit(np.vstack(parts), correct)


def confidence(model: FactorClassifier | AdaptedClassifier, calibrator: ConfidenceCalibrator, X: Sequence[str],
               langs: Sequence[str] | None = None) -> tuple[list[list[str]], np.ndarray]:  # fmt: skip
    """Each answer's labels (primary first) and the calibrated chance that they need no correction."""
    labels, m = margins(model, X, langs)
    return labels, calibrator.predict(m)


#: The development sets the shipped calibrator is fitted on, pooled (never the held-out set). Not the
#: retired blind set alone: the model reads it more easily than strangers' answers, and a calibrator
#: fitted there promised 0.97 where the second development set was coded right 0.83 of the time.
CALIBRATION_SETS = (
    "rad_dev_retired_blind.jsonl",
    "rad_parallel_dev.jsonl",
    "rad_parallel_dev2.jsonl",
    "rad_realstyle_dev.jsonl",
)


def load_default_calibrator() -> ConfidenceCalibrator:
    """The calibrator of the shipped model, fitted on :data:`CALIBRATION_SETS` once and cached beside the model.

    A calibration set the shipped model was trained on (``default_model.TRAINING_PATHS``) would make it
    look surer than it is on answers it never saw (its cross-lingual neighbours would even hand each
    answer its own translations' codes): such a set is read by a model fitted without it instead.
    """
    import joblib

    from analysis.default_model import DATA_DIR, cache_dir, load_default_classifier, model_digest

    path = cache_dir() / f"confidence-calibrator-{model_digest()}.joblib"
    if path.exists():
        try:
            return joblib.load(path)
        except Exception:
            path.unlink(missing_ok=True)
    calibrator = fit_calibrator_on(load_default_classifier(), [DATA_DIR / name for name in CALIBRATION_SETS])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    joblib.dump(calibrator, tmp)
    tmp.replace(path)  # atomic, as the model's cache
    return calibrator
