"""analysis.chooser.decide_labels: the one place probabilities and the chooser's scores become label lists."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.chooser import decide_labels
from analysis.factors import FACTOR_IDS, OTHER

HRM, AUDIT, CULTURE = (FACTOR_IDS.index(f) for f in ("hrm", "audit", "culture"))
THRESHOLDS = np.full(11, 0.5)


def _proba(**p: float) -> np.ndarray:
    row = np.full((1, 11), 0.1)
    for name, value in p.items():
        row[0, 10 if name == OTHER else FACTOR_IDS.index(name)] = value
    return row


def test_decide_labels_without_a_chooser_orders_the_passing_factors_by_probability() -> None:
    assert decide_labels(_proba(hrm=0.6, audit=0.9), None, THRESHOLDS) == [["audit", "hrm"]]
    assert decide_labels(_proba(), None, THRESHOLDS) == [[OTHER]]
    # "other" wins when it is confident and more likely than any factor.
    assert decide_labels(_proba(hrm=0.6, other=0.8), None, THRESHOLDS) == [[OTHER]]


def test_decide_labels_puts_the_chooser_primary_first_even_under_its_threshold() -> None:
    rank = np.zeros((1, 11))
    # The codebook points at culture, under its threshold.
    rank[0, CULTURE], rank[0, AUDIT], rank[0, HRM] = 2.0, 1.0, 0.5
    proba = _proba(hrm=0.9, audit=0.6, culture=0.3)
    # The passing factors follow, in the chooser's order, not their probabilities'.
    assert decide_labels(proba, rank, THRESHOLDS) == [["culture", "audit", "hrm"]]
    assert decide_labels(proba, rank, THRESHOLDS, max_labels=2) == [["culture", "audit"]]


def test_decide_labels_other_from_the_chooser_drops_the_factors_only_when_asked() -> None:
    rank = np.zeros((1, 11))
    rank[0, 10] = 3.0  # the chooser says "other": programme talk that names a measure in passing
    proba = _proba(hrm=0.9)
    assert decide_labels(proba, rank, THRESHOLDS) == [[OTHER]]
    assert decide_labels(proba, rank, THRESHOLDS, other_from_chooser=False) == [["hrm"]]


def test_decide_labels_refuses_no_label_at_all() -> None:
    with pytest.raises(ValueError, match="max_labels"):
        decide_labels(_proba(hrm=0.9), None, THRESHOLDS, max_labels=0)
