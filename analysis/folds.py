"""Cross-validation splits that never cut the translations of one answer (or, by choice, one question's answers)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from sklearn.model_selection import GroupKFold, KFold

from analysis.errors import Errors


def folds_of(n: int, folds: int, groups: Sequence[str | None] | None, random_state: int) -> Iterator[tuple]:
    """Shuffled K-fold splits; answers of one group (a translation of the same answer) never straddle two folds.

    Otherwise a model would be judged on the French version of an answer it was trained on in
    English: out-of-fold probabilities, and so thresholds and the primary chooser, would be too sure.
    """
    ids = split_units(n, groups)
    if groups is None or all(g is None for g in groups):
        return KFold(folds, shuffle=True, random_state=random_state).split(np.arange(n))
    return GroupKFold(folds, shuffle=True, random_state=random_state).split(np.arange(n), groups=ids)


def by_question(groups: Sequence[str | None] | None, questions: Sequence[str | None], n: int) -> list[str | None]:
    """Fold groups by question: translations of an answer share its question, so they stay together too."""
    if len(questions) != n:
        raise ValueError(Errors.E308.format(n_questions=len(questions), n_texts=n))
    base = list(groups) if groups is not None else [None] * n
    return [f"question:{q}" if q else (None if g is None else f"answer:{g}")
            for q, g in zip(questions, base, strict=True)]  # fmt: skip


def split_units(n: int, groups: Sequence[str | None] | None) -> list[str]:
    """What a split may not cut: one id per answer, shared by the translations of one answer."""
    if groups is not None and len(groups) != n:
        raise ValueError(Errors.E306.format(n_groups=len(groups), n_texts=n))
    if groups is None:
        return [f"row:{i}" for i in range(n)]
    return [f"group:{g}" if g is not None else f"row:{i}" for i, g in enumerate(groups)]
