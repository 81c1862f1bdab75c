"""Weights on the demo: the generator over-represents headquarters, and weighting moves the index."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from flask import Flask
from sqlmodel import Session, select

from analysis.report import build_report, render_html
from cips.models import Campaign
from cips.services.exports import build_export
from cips.services.reports import report_input


class KeywordClassifier:
    def predict_labels(self, texts, langs=None):
        return [["hrm"] for _ in texts]


def test_demo_report_index_moves_with_weights_and_states_effective_n(loaded: Flask, runner, session: Session) -> None:
    result = runner.invoke(args=["demo", "--responses", "120", "--seed", "1"])
    assert result.exit_code == 0, result.output
    demo = session.exec(select(Campaign).where(Campaign.slug == "demo")).one()
    weighted = report_input(session, demo, "en")
    unweighted = report_input(session, demo, "en", weighted=False)
    officials = weighted.respondents[weighted.respondents["instrument"] == "officials"]
    hq = officials["bg_region"] == "headquarters"
    assert hq.mean() > 300 / 1800 + 0.05  # over-represented against the demo's populations
    w = weighted.weights.reindex(officials["respondent"]).to_numpy()
    assert w[hq.to_numpy()].sum() / w.sum() < hq.mean()  # weighting gives it back its share

    reports = {name: build_report(inp, classifier=KeywordClassifier(), n_boot=100)
               for name, inp in (("weighted", weighted), ("unweighted", unweighted))}  # fmt: skip
    table = {name: r.factor_table.set_index(["group", "factor"])["index"] for name, r in reports.items()}
    moved = (table["weighted"] - table["unweighted"]).loc["officials"]
    assert (moved < -0.5).sum() >= 5  # headquarters rated higher: the national view is lower
    summary = weighted.weighting["officials"]
    assert summary.method == "poststratification" and summary.n_effective < summary.n
    html = render_html(reports["weighted"])
    assert f"effective n {summary.n_effective:.0f} of {summary.n}" in html
    assert "Unweighted: every respondent counts the same" in render_html(reports["unweighted"])


def test_exports_carry_a_weight_column_for_spss(loaded: Flask, runner, session: Session) -> None:
    assert runner.invoke(args=["demo", "--responses", "40", "--seed", "2"]).exit_code == 0
    out = build_export(session, "demo", "csv", instrument="officials", actor="test")
    frame = pd.read_csv(io.BytesIO(out.data), encoding="utf-8-sig")
    assert frame["weight"].mean() == pytest.approx(1.0)
    assert frame["weight"].nunique() > 1
    sav = build_export(session, "demo", "sav", instrument="officials", actor="test")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.sav"
        path.write_bytes(sav.data)
        data, meta = pyreadstat.read_sav(str(path))
    assert "weight" in data.columns and "WEIGHT BY weight" in meta.column_names_to_labels["weight"]
