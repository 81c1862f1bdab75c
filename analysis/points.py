"""Code points, not bags of words: each point of an answer scored on its own.

Real answers of partner administrations are long and list or chain several points, and
the coding guide takes as primary "the point the answer develops most", not the first
factor word. So an answer is cut into points (:func:`analysis.segment.split_points`, the
one segmenter), every point is scored by the same fitted pipeline as whole answers, and:

- a factor counts for the answer when the whole answer or one of its *list* points
  supports it (a short listed point, "rotation", is not drowned by the rest);
- each label's *developed share* is the part of the answer, by length, given to it: every
  point spreads its weight (its share of the answer's characters) over the labels in
  proportion to its probabilities. The primary chooser reads it beside the other evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from analysis.features import analyse
from analysis.segment import split_points


def points_of(texts: Sequence[str], lists: bool = True, sentences: bool = False,
              ) -> tuple[list[list[str]], list[list[str]]]:  # fmt: skip
    """Each answer's list points (``[text]`` without ``lists``), and the points its developed shares
    are measured over (sentences too with ``sentences``); an answer of one point is not split."""
    listed = [split_points(t) if lists else [t] for t in texts]
    weighed = [split_points(t, sentences=True) for t in texts] if sentences else listed
    return listed, weighed


def score_points(model: Any, texts: Sequence[str], langs: Sequence[str], proba: np.ndarray,
                 codebook_path: str | None, lists: bool = True, sentences: bool = False,
                 blend: Callable[[np.ndarray, list[str], list[str]], np.ndarray] | None = None,
                 ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """``proba`` (n, labels) of whole answers -> (probabilities with list points, developed shares).

    ``model`` is a fitted pipeline over analysed texts; the last column is ``other``, judged on
    the whole answer only (a point of thanks inside a substantive answer does not make it
    ``other``). ``lists``: list points lift factors; ``sentences``: developed shares are
    measured over sentences too (else over list points). ``blend(proba, texts, langs)``: the points'
    probabilities as the whole answers' are (the embedding block blended in).
    """
    proba = proba.copy()
    developed = proba / np.maximum(proba.sum(axis=1, keepdims=True), 1e-12)
    listed, weighed = points_of(texts, lists, sentences)
    wanted: dict[tuple[str, str], int] = {}
    for i, lang in enumerate(langs):
        for parts in (listed[i], weighed[i]):
            if len(parts) > 1:
                for part in parts:
                    wanted.setdefault((part, lang), len(wanted))
    if not wanted:
        return proba, developed
    keys = list(wanted)
    point_texts, point_langs = [k[0] for k in keys], [k[1] for k in keys]
    point_proba = model.predict_proba(analyse(point_texts, point_langs, codebook_path))
    if blend is not None:
        point_proba = blend(point_proba, point_texts, point_langs)
    for i, lang in enumerate(langs):
        if len(listed[i]) > 1:
            rows = point_proba[[wanted[(p, lang)] for p in listed[i]]]
            proba[i, :-1] = np.maximum(proba[i, :-1], rows[:, :-1].max(axis=0))
        if len(weighed[i]) > 1:
            rows = point_proba[[wanted[(p, lang)] for p in weighed[i]]]
            weights = np.array([len(p) for p in weighed[i]], dtype=float)
            shares = rows / np.maximum(rows.sum(axis=1, keepdims=True), 1e-12)
            developed[i] = weights @ shares / weights.sum()
    return proba, developed
