"""Label lists and primaries as the classifiers read them: an indicator matrix of the ten factors, label indices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from analysis.chooser import LABELS
from analysis.errors import Errors
from analysis.factors import FACTOR_IDS, OTHER


def to_indicator(labels: Sequence[Sequence[str]] | np.ndarray) -> np.ndarray:
    """Label lists (``[["hrm"], ["other"]]``) or an (n, 10) indicator matrix -> (n, 10) ints."""
    if isinstance(labels, np.ndarray) and labels.ndim == 2:
        if labels.shape[1] != len(FACTOR_IDS):
            raise ValueError(Errors.E301.format(n_columns=labels.shape[1], n_factors=len(FACTOR_IDS)))
        return labels.astype(int)
    out = np.zeros((len(labels), len(FACTOR_IDS)), dtype=int)
    index = {f: i for i, f in enumerate(FACTOR_IDS)}
    for row, ls in enumerate(labels):
        for label in ls:
            if label == OTHER:
                continue
            if label not in index:
                raise ValueError(Errors.E302.format(label=label, row=row))
            out[row, index[label]] = 1
    return out


def primary_index(Y: Any, indicator: np.ndarray, primary: Sequence[str] | None) -> np.ndarray:
    """Index in LABELS of each training answer's primary label; -1 when it cannot be known."""
    if primary is not None:
        if len(primary) != len(indicator):
            raise ValueError(Errors.E305.format(n_primary=len(primary), n_rows=len(indicator)))
        unknown = sorted({p for p in primary if p not in LABELS})
        if unknown:
            raise ValueError(Errors.E307.format(labels=unknown))
        return np.array([LABELS.index(p) for p in primary])
    if isinstance(Y, np.ndarray) and Y.ndim == 2:  # no order: only single-label rows are unambiguous
        sizes = indicator.sum(axis=1)
        return np.where(sizes == 1, indicator.argmax(axis=1), np.where(sizes == 0, len(LABELS) - 1, -1))
    return np.array([LABELS.index(ls[0]) if len(ls) and ls[0] in LABELS else -1 for ls in Y])
