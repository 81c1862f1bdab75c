"""Reliability diagram of the calibrated confidence (python -m analysis.reliability)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis import reliability
from analysis.adapt import CALIBRATION_SETS
from analysis.classify import FactorClassifier


def test_bin_table_by_hand() -> None:
    conf = np.array([0.05, 0.15, 0.95, 0.95, 0.95, 0.85])
    right = np.array([False, True, True, True, False, True])
    table = reliability.bin_table(conf, right)
    assert [(row["bin"], row["n"], row["coded_right"]) for row in table["bins"]] == [
        ("0.0-0.1", 1, 0.0), ("0.1-0.2", 1, 1.0), ("0.8-0.9", 1, 1.0), ("0.9-1.0", 3, 0.667)]  # fmt: skip
    # |0.05-0| + |0.15-1| + |0.85-1| + 3 * |0.95-2/3|, over 6 answers
    assert table["ece"] == pytest.approx((0.05 + 0.85 + 0.15 + 3 * (0.95 - 2 / 3)) / 6, abs=1e-4)
    assert table["brier"] == pytest.approx(np.mean((conf - right) ** 2), abs=1e-4)


def test_the_shipped_calibrator_never_reads_the_held_out_set() -> None:
    assert CALIBRATION_SETS and not any("heldout" in name for name in CALIBRATION_SETS)


def test_reliability_draws_the_diagram_and_prints_json_last(corpus, tmp_path, capsys) -> None:
    train = corpus[::6]
    model = FactorClassifier(cv=2).fit([e.text for e in train], [list(e.labels) for e in train],
                                       langs=[e.lang for e in train], primary=[e.primary for e in train])  # fmt: skip
    data = tmp_path / "dev.jsonl"
    rows = [{"text": e.text, "labels": list(e.labels), "primary": e.primary, "lang": e.lang, "group": e.group}
            for e in corpus[1::10][:120]]  # fmt: skip
    data.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    out = tmp_path / "reliability.png"
    assert reliability.main(["--data", str(data), "--out", str(out), "--folds", "3"], model=model) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result["n"] == len(rows) == sum(row["n"] for row in result["bins"])
    assert 0 <= result["ece"] <= 1 and 0 <= result["brier"] <= 1
    with pytest.raises(SystemExit):
        reliability.main(["--data", "analysis/data/rad_heldout.jsonl"], model=model)
    with pytest.raises(SystemExit):
        reliability.main(["--data", str(data), "--out", str(tmp_path / "no" / "such.png")], model=model)
