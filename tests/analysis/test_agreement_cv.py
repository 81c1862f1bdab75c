"""analysis.agreement_cv: the pooled real-style cross-validation's decision rules, on outputs made by hand."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import agreement_cv
from analysis.agreement_cv import FoldOutputs, decide, language_offsets, splits
from analysis.eval_report import DEV_PATHS, is_heldout
from analysis.evaluate import Example, load_examples
from analysis.factors import FACTOR_IDS, OTHER

HRM, AUDIT = FACTOR_IDS.index("hrm"), FACTOR_IDS.index("audit")


def _outputs(proba: np.ndarray, rank: np.ndarray, say: np.ndarray | None = None) -> FoldOutputs:
    n = len(proba)
    return FoldOutputs(test=list(range(n)), proba=proba, developed=None, rank=rank, say=say,
                       thresholds=np.full(11, 0.5), train_rank=np.zeros((2, 11)), train_langs=["en", "fr"],
                       train_groups=["g", "g"], train_primary=np.array([HRM, HRM]),
                       train_proba=np.zeros((2, 11)))  # fmt: skip


def test_decide_orders_labels_by_the_chooser_and_the_rule_changes_it() -> None:
    proba = np.full((2, 11), 0.1)
    proba[:, HRM], proba[:, AUDIT] = 0.9, 0.6
    rank = np.zeros((2, 11))
    rank[0, AUDIT], rank[1, 10] = 2.0, 3.0  # the first answer's primary is audit, the second's other
    fo = _outputs(proba, rank)
    assert decide(fo, ["en", "en"], {}) == [["audit", "hrm"], [OTHER]]
    # A second label must clear its threshold by the margin; the primary stays.
    assert decide(fo, ["en", "en"], {"secondary": 0.45})[0] == ["audit"]
    assert decide(fo, ["en", "en"], {"max_labels": 1})[0] == ["audit"]
    # The neighbours' say is added to the chooser's scores, scaled by the rule.
    say = np.zeros((2, 11))
    say[0, HRM] = 3.0
    assert decide(_outputs(proba, rank, say), ["en", "en"], {})[0][0] == "hrm"
    assert decide(_outputs(proba, rank, say), ["en", "en"], {"say": 1.0 / 3})[0][0] == "audit"
    # The direct primary's say is added apart: its own rule scales it, the neighbours' rules do not.
    fo = _outputs(proba, rank, say)
    fo.direct = np.zeros((2, 11))
    fo.direct[0, AUDIT] = 2.0
    assert decide(fo, ["en", "en"], {})[0][0] == "audit"
    assert decide(fo, ["en", "en"], {"direct": 0.0})[0][0] == "hrm"
    assert decide(fo, ["en", "en"], {"say": 0.0, "say_other": 0.0})[0][0] == "audit"


def test_decide_rules_that_keep_the_neighbours_from_turning_a_confident_factor_into_other() -> None:
    proba = np.full((2, 11), 0.1)
    proba[:, HRM] = 0.84  # confident hrm; the chooser prefers hrm, the neighbours' say on other outvotes it
    rank, say = np.zeros((2, 11)), np.zeros((2, 11))
    rank[:, HRM], rank[:, 10], say[:, 10] = 0.3, -0.2, 1.7
    fo = _outputs(proba, rank, say)
    assert decide(fo, ["en", "en"], {}) == [[OTHER], [OTHER]]
    assert decide(fo, ["en", "en"], {"say_other": 0}) == [["hrm"], ["hrm"]]
    # Scaled by words / 10: the two-word answer's say is cut to a fifth, the twenty-word one's is whole.
    assert decide(fo, ["en", "en"], {"say_words": 10}, words=[2, 20]) == [["hrm"], [OTHER]]
    # other only when no factor passes its threshold (0.5) by the margin.
    assert decide(fo, ["en", "en"], {"other_margin": 0.3}) == [["hrm"], ["hrm"]]
    assert decide(fo, ["en", "en"], {"other_margin": 0.4}) == [[OTHER], [OTHER]]


def test_decide_other_own_keeps_other_only_on_its_own_evidence() -> None:
    proba = np.full((2, 11), 0.1)
    proba[:, HRM] = 0.4  # no factor passes its threshold (0.5)
    proba[0, 10], proba[1, 10] = 0.45, 0.2  # other's own probability: near its threshold, far under it
    rank = np.zeros((2, 11))
    rank[:, 10], rank[:, HRM] = 2.0, 1.0  # the chooser says other for both
    fo = _outputs(proba, rank)
    assert decide(fo, ["en", "en"], {}) == [[OTHER], [OTHER]]
    assert decide(fo, ["en", "en"], {"other_own": 0.8}) == [[OTHER], ["hrm"]]
    assert decide(fo, ["en", "en"], {"other_own": 1.0}) == [["hrm"], ["hrm"]]


def test_language_offsets_are_each_language_s_distance_from_its_translations() -> None:
    rank = np.array([[1.0, 0.0], [3.0, 0.0], [2.0, 1.0], [4.0, 1.0], [9.0, 9.0]])
    offsets = language_offsets(rank, ["en", "fr", "en", "fr", "pt"], ["a", "a", "b", "b", "alone"])
    assert offsets["en"] == pytest.approx([-1.0, 0.0]) and offsets["fr"] == pytest.approx([1.0, 0.0])
    assert "pt" not in offsets  # an answer without translations says nothing about its language


def test_splits_keep_a_meaning_s_translations_together_and_leave_one_set_out() -> None:
    examples = [Example(f"t{g}{lang}", ("hrm",), "hrm", lang, f"g{g}") for g in range(10) for lang in ("en", "fr")]
    sets = ["a"] * 10 + ["b"] * 10
    for train, test in splits(examples, sets, "5fold"):
        assert {examples[i].group for i in train}.isdisjoint({examples[i].group for i in test})
    assert [sorted({sets[i] for i in test}) for _, test in splits(examples, sets, "loso")] == [["a"], ["b"]]


def test_pooled_reads_no_held_out_set(monkeypatch) -> None:
    read: list[str] = []
    monkeypatch.setattr(agreement_cv, "load_examples", lambda path: read.append(path.name) or [
        Example("x", ("hrm",), "hrm", "en", "g")])  # fmt: skip
    examples, _ = agreement_cv.pooled()
    # Every set the shipped model trains on, and no held-out set.
    assert len(examples) == len(agreement_cv.REALSTYLE_DEV) and "rad_realstyle_heldout18.jsonl" in read
    assert "rad_realstyle_heldout19.jsonl" not in read
    read.clear()
    examples, sets = agreement_cv.pooled(with_scored=True)  # and the retired sets scored, not trained on
    for name in agreement_cv.SCORED_ONLY:
        assert name in DEV_PATHS and name not in agreement_cv.REALSTYLE_DEV and not is_heldout(DEV_PATHS[name])
        assert DEV_PATHS[name].name in read and name in sets
    assert "rad_heldout.jsonl" not in read


class _HrmModel:
    """Stands for a fitted FactorClassifier: every answer is hrm, and the neighbours say other."""

    thresholds_ = np.full(11, 0.5)

    def _outputs(self, texts, langs):
        proba = np.full((len(texts), 11), 0.1)
        proba[:, HRM] = 0.9
        say = np.zeros((len(texts), 11))
        say[:, 10] = 5.0
        return proba, [None] * len(texts), None, say, None

    def chooser_scores(self, proba, docs, developed):
        return np.where(np.arange(11) == HRM, 1.0, 0.0) * np.ones((len(proba), 1))


def test_written_sets_outputs_are_cached_and_scored_by_rule(tmp_path, monkeypatch) -> None:
    outputs = agreement_cv.written_outputs({"x": 1}, cache=tmp_path, model=_HrmModel())
    assert list(outputs) == list(agreement_cv.WRITTEN) and len(list(tmp_path.iterdir())) == 1
    monkeypatch.setattr(agreement_cv, "candidate_examples", lambda: pytest.fail("refitted a cached setting"))
    assert agreement_cv.written_outputs({"x": 1}, cache=tmp_path).keys() == outputs.keys()
    as_is = agreement_cv.evaluate_written(outputs, {})
    without_say = agreement_cv.evaluate_written(outputs, {"say_other": 0})
    for name in agreement_cv.WRITTEN:
        primaries = [e.primary for e in load_examples(DEV_PATHS[name])]
        assert as_is[name]["n"] == without_say[name]["n"] == len(outputs[name].test) == len(primaries)
        # The neighbours make every answer other; without their say on other, every answer is hrm.
        assert as_is[name]["primary_accuracy"] == round(primaries.count(OTHER) / len(primaries), 3)
        assert without_say[name]["primary_accuracy"] == round(primaries.count("hrm") / len(primaries), 3)


def test_the_scored_only_pool_is_the_retired_sets_not_trained_on() -> None:
    assert agreement_cv.SCORED_ONLY == ("real-style set 19 (retired held-out)", "real-style set 20 (retired held-out)")
