"""The metric code against figures worked out by hand on tiny inputs."""

from __future__ import annotations

import pytest

from analysis import baseline
from analysis.evaluate import Example, consistency, evaluate, scores

OTHER = "other"


def test_scores_match_hand_computed_precision_recall_f1() -> None:
    gold = [["hrm"], ["hrm", "audit"], ["audit"], [OTHER], ["leadership"]]
    pred = [["hrm"], ["hrm"], ["hrm"], [OTHER], [OTHER]]
    result = scores(gold, pred, ["hrm", "audit", "audit", OTHER, "leadership"], [p[0] for p in pred])
    # audit:      tp 0, fp 0, fn 2 -> P 0, R 0, F1 0
    # hrm:        tp 2, fp 1, fn 0 -> P 2/3, R 1, F1 0.8
    # leadership: tp 0, fp 0, fn 1 -> F1 0
    # other:      tp 1, fp 1, fn 0 -> P 1/2, R 1, F1 2/3
    assert result["per_factor"] == {
        "audit": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 2},
        "hrm": {"precision": 0.667, "recall": 1.0, "f1": 0.8, "support": 2},
        "leadership": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1},
        "other": {"precision": 0.5, "recall": 1.0, "f1": 0.667, "support": 1},
    }
    assert list(result["per_factor"]) == ["audit", "hrm", "leadership", "other"]  # other last
    # macro = (0 + 0.8 + 0 + 0.667) / 4; micro: tp 3, fp 2, fn 3 -> 6 / 11; primary 2 of 5.
    assert (result["n"], result["macro_f1"], result["micro_f1"], result["primary_accuracy"]) == (5, 0.367, 0.545, 0.4)


def test_scores_count_a_label_seen_only_in_predictions() -> None:
    result = scores([["hrm"]], [["hrm", "audit"]], ["hrm"], ["hrm"])
    # audit: fp 1 -> F1 0; hrm F1 1 -> macro 0.5; micro 2·1 / (2 + 1) = 0.667.
    assert result["per_factor"]["audit"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert (result["macro_f1"], result["micro_f1"], result["primary_accuracy"]) == (0.5, 0.667, 1.0)


def test_scores_of_perfect_and_of_empty_predictions() -> None:
    gold = [["hrm"], [OTHER]]
    assert scores(gold, gold, ["hrm", OTHER], ["hrm", OTHER])["macro_f1"] == 1.0
    nothing = scores(gold, [[], []], ["hrm", OTHER], ["", ""])
    assert (nothing["macro_f1"], nothing["micro_f1"], nothing["primary_accuracy"]) == (0.0, 0.0, 0.0)


def _ex(group: str | None, lang: str = "en") -> Example:
    return Example("text", ("hrm",), "hrm", lang, group)


def test_consistency_counts_groups_with_one_primary_and_one_label_set() -> None:
    examples = [_ex("g1"), _ex("g1", "fr"), _ex("g2"), _ex("g2", "fr"), _ex("g3"), _ex("g3", "fr"), _ex(None)]
    pred = [["hrm", "audit"], ["hrm"],  # same primary, other label sets
            ["audit"], ["hrm"],  # different primaries
            [OTHER], [OTHER],  # same everything
            ["conduct"]]  # fmt: skip
    assert consistency(examples, pred) == {"groups": 3, "same_primary": 2, "same_labels": 1, "rate": 0.667,
                                           "label_set_rate": 0.333, "inconsistent": ["g2"]}  # fmt: skip


def test_consistency_is_none_without_groups() -> None:
    assert consistency([_ex(None), _ex(None)], [["hrm"], ["audit"]]) is None


class _Fixed:
    def __init__(self, labels: list[list[str]]) -> None:
        self.labels = labels

    def predict_labels(self, texts, langs=None):
        assert len(texts) == len(self.labels)
        return self.labels


def test_evaluate_scores_model_and_baseline_and_their_gain(monkeypatch) -> None:
    examples = [Example("a", ("hrm",), "hrm", "en", "g"), Example("b", ("hrm",), "hrm", "fr", "g"),
                Example("c", ("audit",), "audit", "en")]  # fmt: skip
    monkeypatch.setattr(baseline, "KeywordBaseline", lambda: _Fixed([[OTHER], ["hrm"], [OTHER]]))
    result = evaluate(examples, model=_Fixed([["hrm"], ["hrm"], ["hrm"]]))
    # model: hrm tp 2 fp 1 -> F1 0.8; audit fn 1 -> 0; macro 0.4; micro 4/6; primary 2/3
    assert (result["macro_f1"], result["micro_f1"], result["primary_accuracy"]) == (0.4, 0.667, 0.667)
    # baseline: hrm tp 1 fn 1 -> 0.667; audit 0; other fp 2 -> 0; macro 0.222; micro 2/(2+2+2); primary 1/3
    b = result["baseline"]
    assert (b["macro_f1"], b["micro_f1"], b["primary_accuracy"]) == (0.222, 0.333, 0.333)
    assert result["gain"] == {"macro_f1": 0.178, "micro_f1": 0.334, "primary_accuracy": 0.334}
    assert result["consistency"]["same_primary"] == 1 and result["consistency"]["groups"] == 1


@pytest.mark.parametrize("bad", [[["hrm"]], [["hrm"], ["hrm"], ["hrm"]]])
def test_scores_refuse_lists_of_different_lengths(bad) -> None:
    with pytest.raises(ValueError):
        scores([["hrm"], ["audit"]], bad, ["hrm", "audit"], [b[0] for b in bad])
