"""Choose the meaning grouping's settings on development questions, honestly: leave one question out.

With four development questions, the best of a few hundred settings on all four is an optimistic
figure (it is chosen on the questions it is scored on). So, for each question in turn, the
settings are chosen on the *other* questions and scored on it; the mean over these folds is the
out-of-question estimate of "tune on this grid, then group a new question". A change of the
default is worth adopting only if that estimate beats the current default's own figure.

``python -m analysis.evaluate_themes --data analysis/data/themes --tune`` runs it (development
questions only); scores are the ARI of whole answers grouped by ``meaning.group_answers`` against
editor A.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score

from analysis.briefing import meaning
from analysis.embeddings import CachedEmbedder, Embedder

#: How an answer is represented: (unit, main point, main point's extra weight).
UNITS = (("answer", "longest", 0.0), ("points", "longest", 0.0), ("points", "longest", 1.0),
         ("points", "central", 1.0), ("sentences", "longest", 0.0), ("sentences", "longest", 1.0))  # fmt: skip
CONCEPT_WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
LINKAGES = ("ward", "average")
THEMES = (0.0, 3.5, 4.0)  # 0: silhouette; else n / value
CENTRE = (False, True)


def grid() -> list[meaning.Settings]:
    """Every combination tried (the current default among them)."""
    combinations = itertools.product(UNITS, CONCEPT_WEIGHTS, LINKAGES, THEMES, CENTRE)
    return [meaning.Settings(concept_weight=w, linkage=link, themes=k, centre=c, unit=u, main=m, main_weight=mw)
            for (u, m, mw), w, link, k, c in combinations]  # fmt: skip


def question_answers(rows: list[dict[str, str]], question: str, data: Path, embedder: Embedder | CachedEmbedder,
                     ) -> tuple[list[dict[str, str]], list[bool], list[dict[str, str]], list[set[str]]]:  # fmt: skip
    """One question's contributions, whether the briefing clusters each (``evaluate_themes.grouped``: not a
    no-comment answer), the ones it clusters, and their codebook concepts."""
    from analysis.evaluate_themes import grouped

    chosen = [r for r in rows if r["question"] == question]
    keep = grouped(chosen, data, embedder)
    answers = [r for r, k in zip(chosen, keep, strict=True) if k]
    concepts = meaning.answer_concepts([r["text"] for r in answers], [r.get("lang") or "en" for r in answers])
    return chosen, keep, answers, concepts


def score_grid(rows: list[dict[str, str]], gold: dict[str, str], questions: Sequence[str], data: Path,
               embedder: Embedder | CachedEmbedder, candidates: Sequence[meaning.Settings]) -> np.ndarray:  # fmt: skip
    """ARI of each candidate (rows) on each question (columns), scored as ``evaluate_themes`` scores the briefing.

    The briefing groups the answers that are not no-comment answers (``evaluate_themes.grouped``), whole;
    no-comment answers and answers alone in their cluster form one "other" group.
    """
    scores = np.zeros((len(candidates), len(questions)))
    for j, q in enumerate(questions):
        chosen, keep, answers, concepts = question_answers(rows, q, data, embedder)
        texts = [r["text"] for r in answers]
        truth = [gold[r["id"]] for r in chosen]
        embedded: dict[tuple[Any, ...], np.ndarray] = {}  # one embedding per representation, shared by the grid
        for i, s in enumerate(candidates):
            rep = (s.unit, s.main, s.main_weight, s.centre)
            if rep not in embedded:
                embedded[rep] = meaning.embed_answers(texts, embedder, s)
            vectors = meaning.answer_vectors(embedded[rep], concepts, s.concept_weight)
            labels = iter(meaning.without_grab_bags(meaning.cluster_answers(vectors, settings=s), concepts).tolist())
            found = [next(labels) if k else meaning.OTHER for k in keep]
            scores[i, j] = adjusted_rand_score(truth, found)
    return scores


def leave_one_question_out(scores: np.ndarray) -> list[tuple[int, float]]:
    """Per question: the candidate with the best mean on the other questions, and its score on this one."""
    folds = []
    for j in range(scores.shape[1]):
        others = np.delete(scores, j, axis=1).mean(axis=1)
        best = int(np.argmax(others))  # the first of equals: the grid's order breaks ties
        folds.append((best, float(scores[best, j])))
    return folds


def tune(rows: list[dict[str, str]], gold: dict[str, str], questions: Sequence[str], data: Path,
         embedder: Embedder | CachedEmbedder, top: int = 10) -> dict[str, Any]:  # fmt: skip
    """The default's figures, the in-sample best, the leave-one-question-out estimate and the top candidates."""
    candidates = grid()
    if meaning.WARD not in candidates:  # the grid varies the Ward grouping: its defaults are the reference
        candidates.insert(0, meaning.WARD)
    scores = score_grid(rows, gold, questions, data, embedder, candidates)
    means = scores.mean(axis=1)

    def figures(i: int) -> dict[str, Any]:
        per = {q: round(float(scores[i, j]), 4) for j, q in enumerate(questions)}
        return {"settings": candidates[i].describe(), **per, "mean": round(float(means[i]), 4)}

    best = int(np.argmax(means))
    folds = leave_one_question_out(scores) if len(questions) > 1 else []
    return {
        "questions": list(questions),
        "candidates": len(candidates),
        "default": figures(candidates.index(meaning.WARD)),
        "in_sample_best": {**figures(best), "fields": asdict(candidates[best])},
        "leave_one_question_out": {
            "folds": [
                {"scored": q, "chosen": candidates[i].describe(), "ari": round(a, 4)}
                for q, (i, a) in zip(questions, folds, strict=True)
            ],
            "estimate": round(float(np.mean([a for _, a in folds])), 4) if folds else None,
        },
        "top": [figures(int(i)) for i in np.argsort(-means, kind="stable")[:top]],
    }
