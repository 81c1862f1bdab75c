"""Regression floors of the shipped classifier on the development sets (never the held-out set).

Each floor is the figure the current model gets minus a margin (README, "How good is the
classifier?"): a change that costs a few points of macro-F1, let alone 0.2, turns the suite
red, while the same model on another machine (same library versions, same cache key) passes.
The model comes from the cache (``load_default_classifier``): no training when it is there.
"""

from __future__ import annotations

import pytest

from analysis.eval_report import DEV_PATHS
from analysis.evaluate import consistency, load_examples, scores

#: set -> (macro-F1, primary accuracy, groups with the same primary in all four languages).
#: Measured 2026-12-07 for the shipped model (e5 block, cross-lingual neighbours, the primary also learned directly,
#: trained on the corpus and 2,840 real-style development meanings, neither of these sets): first set 0.907 / 0.944 /
#: 45 of 54; second set 0.835 / 0.891 / 71 of 80. Margins: 0.04 of macro-F1 and primary accuracy (rounded down),
#: 4 groups. (Lowered for the first set when real-style sets 15 and 16 joined the training data by their declared
#: rule: 50 of 54 groups before, 45 after; README, "The seventeenth real-style look".)
FLOORS = {
    "first development set": (0.86, 0.90, 41),
    "second development set": (0.79, 0.85, 67),
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_classifier_stays_above_its_floor_on_a_development_set(default_model, name) -> None:
    examples = load_examples(DEV_PATHS[name])
    pred = default_model.predict_labels([e.text for e in examples], [e.lang for e in examples])
    result = scores([list(e.labels) for e in examples], pred, [e.primary for e in examples], [p[0] for p in pred])
    same = consistency(examples, pred)
    macro, primary, groups = FLOORS[name]
    got = (result["macro_f1"], result["primary_accuracy"], same["same_primary"] if same else 0)
    assert got[0] >= macro and got[1] >= primary and got[2] >= groups, (
        f"{name}: macro-F1, primary accuracy, consistent groups {got}; floors {FLOORS[name]}"
    )
