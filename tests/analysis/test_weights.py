"""Survey weights (analysis.weights) against closed forms: post-stratification, raking, Kish."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import weights as W


def test_poststratification_weights_are_population_over_sample_share() -> None:
    # Sample: 6 from headquarters, 2 from the border; population 100 and 300 (Lohr's N_h / n_h).
    cells = pd.Series(["hq"] * 6 + ["border"] * 2, index=[f"r{i}" for i in range(8)])
    w = W.poststratify(cells, {"hq": 100, "border": 300})
    raw = np.array([100 / 6] * 6 + [300 / 2] * 2)
    assert np.allclose(w.to_numpy(), raw * 8 / raw.sum())
    assert w[cells == "border"].sum() / w.sum() == pytest.approx(0.75)  # the population's share
    with pytest.raises(W.WeightingError, match="east"):
        W.poststratify(cells, {"hq": 100, "border": 300, "east": 50})


def test_raking_a_two_by_two_table_meets_the_margins_and_keeps_the_odds_ratio() -> None:
    """Deming & Stephan: IPF's fitted table has the target margins and the sample's odds ratio,
    which for a 2 x 2 table gives a closed form (a quadratic in the first cell)."""
    sample = {("a", "x"): 7, ("a", "y"): 9, ("b", "x"): 12, ("b", "y"): 7}
    rows = [(r, c) for (r, c), n in sample.items() for _ in range(n)]
    frame = pd.DataFrame(rows, columns=["row", "col"], index=[f"r{i}" for i in range(len(rows))])
    w = W.rake(frame, {"row": {"a": 5, "b": 15}, "col": {"x": 10, "y": 10}})
    fitted = w.groupby([frame["row"], frame["col"]]).sum() * 20 / w.sum()
    # Closed form: cells (t, 5 - t, 10 - t, 5 + t) with t (5 + t) / ((5 - t)(10 - t)) = 49 / 108.
    theta = (7 * 7) / (9 * 12)
    a, b, c = 1 - theta, 5 + 15 * theta, -50 * theta
    t = (-b + np.sqrt(b * b - 4 * a * c)) / (2 * a)
    assert fitted[("a", "x")] == pytest.approx(t, rel=1e-5)
    assert fitted[("a", "y")] == pytest.approx(5 - t, rel=1e-5)
    assert fitted[("b", "x")] == pytest.approx(10 - t, rel=1e-5)
    assert fitted[("b", "y")] == pytest.approx(5 + t, rel=1e-5)


def test_kish_design_effect_and_effective_n() -> None:
    w = pd.Series([1.0, 1.0, 2.0, 2.0])
    assert W.kish_deff(w) == pytest.approx(4 * 10 / 36)  # n Σw² / (Σw)²
    assert W.effective_n(w) == pytest.approx(36 / 10)
    assert W.kish_deff(pd.Series([3.0] * 7)) == pytest.approx(1.0)


def test_trimming_caps_weights_and_keeps_the_total() -> None:
    w = pd.Series([1.0] * 19 + [40.0])
    trimmed = W.trim(w, ratio=3)
    assert trimmed.max() <= 3 * trimmed.mean() + 1e-9 and trimmed.sum() == pytest.approx(20)
    assert W.kish_deff(trimmed) < W.kish_deff(w)


def test_design_weights_post_stratify_one_item_and_rake_two() -> None:
    rng = np.random.default_rng(0)
    n = 200
    regions = rng.choice(["hq", "north"], size=n, p=[0.7, 0.3])
    functions = rng.choice(["clearance", "audit"], size=n, p=[0.5, 0.5])
    resp = pd.DataFrame({"respondent": [f"r{i}" for i in range(n)], "instrument": "officials",
                         "bg_region": regions, "bg_function": functions})  # fmt: skip
    w, summary = W.design_weights(resp, {"officials": {"bg_region=hq": 300, "bg_region=north": 700}})
    assert summary["officials"].method == "poststratification"
    assert w[regions == "north"].sum() / w.sum() == pytest.approx(0.7)
    assert summary["officials"].n_effective < n and summary["officials"].deff > 1
    both = {"officials": {"bg_region=hq": 300, "bg_region=north": 700,
                          "bg_function=clearance": 800, "bg_function=audit": 200}}  # fmt: skip
    w, summary = W.design_weights(resp, both)
    assert summary["officials"].method == "raking"
    assert w[regions == "north"].sum() / w.sum() == pytest.approx(0.7, abs=1e-4)
    assert w[functions == "audit"].sum() / w.sum() == pytest.approx(0.2, abs=1e-4)
    assert w.mean() == pytest.approx(1.0)
