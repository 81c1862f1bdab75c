from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.scores import (
    SUPPRESSED,
    bootstrap_ci,
    compare,
    factor_indices,
    item_indices,
    respondent_scores,
    to_index,
)

ITEMS = pd.DataFrame(
    {"item_id": ["lead_1", "lead_2", "hrm_1", "bg_region"], "factor": ["leadership", "leadership", "hrm", None],
     "reverse": [False, True, False, False], "instrument": ["officials"] * 4}
)  # fmt: skip


def tidy(rows: list[tuple[str, str, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["respondent", "item_id", "value"])


def test_scores_index_is_linear_and_reverse_items_flip() -> None:
    np.testing.assert_allclose(to_index([1, 2, 3, 4, 5]), [0, 25, 50, 75, 100])
    np.testing.assert_allclose(to_index([1, 5], reverse=[True, True]), [100, 0])


def test_scores_respondent_means_by_hand() -> None:
    answers = tidy([("r1", "lead_1", 5), ("r1", "lead_2", 2), ("r1", "hrm_1", 3), ("r2", "lead_1", 1),
                    ("r2", "hrm_1", None)])  # fmt: skip
    scores = respondent_scores(answers, ITEMS)
    # r1 leadership: lead_1=5 -> 100, lead_2 reversed 2 -> 75; mean 87.5
    assert scores.loc["r1", "leadership"] == pytest.approx(87.5)
    assert scores.loc["r1", "hrm"] == pytest.approx(50.0)
    assert scores.loc["r2", "leadership"] == pytest.approx(0.0)
    assert np.isnan(scores.loc["r2", "hrm"])  # skipped item: no score, not zero


def test_scores_weighted_index_and_bootstrap_ci_by_hand() -> None:
    scores = pd.DataFrame({"hrm": [0.0, 50.0, 100.0, 100.0, 50.0, 0.0]}, index=[f"r{i}" for i in range(6)])
    weights = pd.Series([1, 1, 2, 2, 1, 1], index=scores.index, dtype=float)
    table = factor_indices(scores, weights=weights, n_boot=2000, seed=1)
    row = table.iloc[0]
    assert row["n"] == 6
    assert row["index"] == pytest.approx((0 + 50 + 200 + 200 + 50 + 0) / 8)
    assert row["ci_low"] < row["index"] < row["ci_high"]
    # Same seed, same interval; the interval of the plain mean brackets it as expected.
    assert bootstrap_ci(scores["hrm"].to_numpy(), seed=3) == bootstrap_ci(scores["hrm"].to_numpy(), seed=3)
    low, high = bootstrap_ci(np.array([50.0] * 10))
    assert low == high == 50.0


def test_scores_cells_under_five_are_suppressed_everywhere() -> None:
    scores = pd.DataFrame({"hrm": [10.0, 20, 30, 40, 50, 60, 70]}, index=[f"r{i}" for i in range(7)])
    groups = pd.Series(["big"] * 5 + ["small"] * 2, index=scores.index)
    table = factor_indices(scores, groups=groups, n_boot=200).set_index("group")
    assert table.loc["small", "display"] == SUPPRESSED and np.isnan(table.loc["small", "index"])
    assert np.isnan(table.loc["small", "ci_low"])
    assert table.loc["big", "display"] == "30.0"
    gap = compare(scores, groups, "big", "small")
    assert gap.loc[0, "display"] == SUPPRESSED and np.isnan(gap.loc[0, "difference"]) and np.isnan(gap.loc[0, "p"])


def test_scores_item_indices_count_nonresponse_among_those_asked() -> None:
    answers = tidy([(f"r{i}", "lead_1", 4) for i in range(6)] + [(f"r{i}", "hrm_1", 2) for i in range(3)])
    respondents = pd.Series(["officials"] * 8, index=[f"r{i}" for i in range(8)])
    table = item_indices(answers, ITEMS, respondents).set_index("item_id")
    assert table.loc["lead_1", "n"] == 6 and table.loc["lead_1", "index"] == pytest.approx(75.0)
    assert table.loc["lead_1", "nonresponse"] == pytest.approx(2 / 8)
    assert table.loc["hrm_1", "display"] == SUPPRESSED


def _two_groups(rng: np.random.Generator, shift: float, n: int = 60) -> tuple[pd.DataFrame, pd.Series]:
    a = np.clip(rng.normal(50 + shift, 20, n), 0, 100)
    b = np.clip(rng.normal(50, 20, n), 0, 100)
    frame = pd.DataFrame({f: np.concatenate([a, b]) if f == "hrm" else np.clip(rng.normal(50, 20, 2 * n), 0, 100)
                          for f in ["leadership", "hrm", "audit"]})  # fmt: skip
    return frame, pd.Series(["officials"] * n + ["private_sector"] * n, index=frame.index)


def test_scores_planted_difference_is_detected() -> None:
    frame, groups = _two_groups(np.random.default_rng(0), shift=20)
    result = compare(frame, groups, "officials", "private_sector").set_index("factor")
    assert result.loc["hrm", "significant"]
    assert result.loc["hrm", "difference"] > 10 and result.loc["hrm", "cohens_d"] > 0.5


def test_scores_null_difference_holds_the_error_rate_over_seeds() -> None:
    # Holm keeps the family-wise error rate at 5 %: over 100 null datasets of 3 factors,
    # a false discovery in more than ~12 of them would be far outside chance.
    false_alarms = 0
    for seed in range(100):
        frame, groups = _two_groups(np.random.default_rng(seed), shift=0)
        false_alarms += bool(compare(frame, groups, "officials", "private_sector")["significant"].any())
    assert false_alarms <= 12


def test_scores_bh_correction_is_available() -> None:
    frame, groups = _two_groups(np.random.default_rng(1), shift=25)
    bh = compare(frame, groups, "officials", "private_sector", correction="bh")
    holm = compare(frame, groups, "officials", "private_sector", correction="holm")
    assert (bh["p_adjusted"] <= holm["p_adjusted"] + 1e-12).all()


def test_scores_interval_contains_the_index_without_variance() -> None:
    # Twelve identical answers (7/12 of the way up the scale): the bootstrap means are summed in
    # another order than the index and used to land 1e-14 beside it, outside the interval.
    for value in (100 / 3, 175 / 3, 200 / 3, 125 / 3):
        for n in (6, 12, 30):
            scores = pd.DataFrame({"hrm": [value] * n}, index=[f"r{i}" for i in range(n)])
            row = factor_indices(scores, n_boot=200).iloc[0]
            assert row["ci_low"] <= row["index"] <= row["ci_high"], (value, n, row.to_dict())
            low, high = bootstrap_ci(scores["hrm"].to_numpy())
            assert low <= row["index"] <= high


def test_scores_leave_out_dont_know_and_items_show_its_share() -> None:
    """A "don't know" is stored as the word (no value): never a scale point in a score, counted apart
    from non-response, its share shown only when it rests on at least MIN_CELL answers."""
    rows = [(f"r{i}", "lead_1", 4.0, None) for i in range(6)] + [(f"r{i}", "lead_1", None, "dont_know")
                                                                 for i in range(6, 11)]  # fmt: skip
    rows += [(f"r{i}", "hrm_1", 2.0, None) for i in range(8)] + [("r8", "hrm_1", None, "refused")]
    answers = pd.DataFrame(rows, columns=["respondent", "item_id", "value", "text"])
    respondents = pd.Series(["officials"] * 12, index=[f"r{i}" for i in range(12)])
    scores = respondent_scores(answers, ITEMS)
    assert scores.loc["r0", "leadership"] == pytest.approx(75.0) and pd.isna(scores.loc["r7", "leadership"])
    table = item_indices(answers, ITEMS, respondents).set_index("item_id")
    assert table.loc["lead_1", "n"] == 6 and table.loc["lead_1", "index"] == pytest.approx(75.0)
    assert table.loc["lead_1", "non_substantive_share"] == pytest.approx(5 / 12)
    assert table.loc["lead_1", "nonresponse"] == pytest.approx(1 / 12)
    assert table.loc["hrm_1", "non_substantive"] == 1 and np.isnan(table.loc["hrm_1", "non_substantive_share"])


def test_scores_weighted_compare_detects_a_planted_difference_and_holds_the_error_rate() -> None:
    """Weighted gap: weighted means, and a bootstrap p that still finds a real difference and
    stays quiet under the null (over 60 null datasets, a discovery in more than ~10 is off)."""
    rng = np.random.default_rng(5)
    frame, groups = _two_groups(rng, shift=20)
    weights = pd.Series(rng.choice([0.5, 1.0, 2.5], len(frame)), index=frame.index)
    result = compare(frame, groups, "officials", "private_sector", weights=weights, n_boot=500).set_index("factor")
    a = groups == "officials"
    expected = (np.average(frame.loc[a, "hrm"], weights=weights[a])
                - np.average(frame.loc[~a, "hrm"], weights=weights[~a]))  # fmt: skip
    assert result.loc["hrm", "difference"] == pytest.approx(expected)
    assert result.loc["hrm", "significant"] and result.loc["hrm", "cohens_d"] > 0.5
    false_alarms = 0
    for seed in range(60):
        rng = np.random.default_rng(100 + seed)
        frame, groups = _two_groups(rng, shift=0)
        weights = pd.Series(rng.choice([0.5, 1.0, 2.5], len(frame)), index=frame.index)
        false_alarms += bool(compare(frame, groups, "officials", "private_sector", weights=weights,
                                     n_boot=300)["significant"].any())  # fmt: skip
    assert false_alarms <= 10
