"""The gain over the baseline comes with a paired bootstrap interval."""

from __future__ import annotations

from analysis.eval_report import paired_gain_ci


def test_eval_report_gain_interval_excludes_zero_for_a_real_gain() -> None:
    gold = [["hrm"], ["audit"], ["other"], ["leadership"]] * 25
    primary = [g[0] for g in gold]
    base = [["other"], ["other"], ["other"], ["hrm"]] * 25
    ci = paired_gain_ci(gold, primary, gold, base, n_boot=200)
    assert all(lo > 0 for lo, _ in ci.values()), ci


def test_eval_report_gain_interval_is_zero_for_identical_systems() -> None:
    gold = [["hrm"], ["audit", "hrm"], ["other"]] * 10
    pred = [["hrm"], ["audit"], ["hrm"]] * 10
    ci = paired_gain_ci(gold, [g[0] for g in gold], pred, pred, n_boot=100)
    assert ci == {k: [0.0, 0.0] for k in ("macro_f1", "micro_f1", "primary_accuracy")}
