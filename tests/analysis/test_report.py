from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis.report import ReportInput, build_report, render_html, render_pdf

OPEN = {
    "hrm": [
        "More training for officers.", "Plus de formation pour les agents.", "Officers need training courses.",
        "Les agents ont besoin de formations.", "Training on ethics for all staff.", "Formation continue des agents.",
    ],
    "audit": [
        "Complaints are never investigated.", "Les plaintes ne sont jamais traitées.",
        "Nobody is sanctioned for bribes.",
        "Aucune sanction pour la corruption.", "Investigate complaints please.", "Les enquêtes n'aboutissent jamais.",
    ],
}  # fmt: skip


class KeywordClassifier:
    """A stand-in classifier: the report must work with any object offering predict_labels."""

    def predict_labels(self, texts, langs=None):
        return [["hrm"] if "train" in t.lower() or "formation" in t.lower() else ["audit"] for t in texts]


def make_input(seed: int = 0, n: int = 40, shift: float = 0.0, previous: ReportInput | None = None) -> ReportInput:
    rng = np.random.default_rng(seed)
    items = pd.DataFrame(
        [("officials", "lead_1", "likert5", "leadership", False, "Managers set the example."),
         ("officials", "hrm_1", "likert5", "hrm", False, "Promotion is based on merit."),
         ("officials", "open_change_first", "text", None, False, "What should change first?"),
         ("officials", "bg_region", "single", None, False, "Region"),
         ("private_sector", "lead_1", "likert5", "leadership", True, "Bosses tolerate bribes."),
         ("private_sector", "hrm_1", "likert5", "hrm", False, "Officers are competent."),
         ("private_sector", "open_change_first", "text", None, False, "What should change first?")],
        columns=["instrument", "item_id", "type", "factor", "reverse", "text"],
    )  # fmt: skip
    respondents, answers = [], []
    texts = [t for ts in OPEN.values() for t in ts]
    for i in range(n):
        rid, instrument = f"w{seed}-r{i}", "officials" if i % 2 else "private_sector"
        lang = "en" if i < n - 3 else "pt"  # three Portuguese respondents: a cell under 5
        region = "north" if i % 4 < 2 else "south"
        respondents.append({"respondent": rid, "instrument": instrument, "language": lang, "bg_region": region})
        for item in ("lead_1", "hrm_1"):
            mean = 3.2 + shift + (0.8 if instrument == "officials" else 0)
            value = int(np.clip(round(rng.normal(mean, 0.8)), 1, 5))
            answers.append({"respondent": rid, "item_id": item, "value": value, "text": None})
        answers.append(
            {"respondent": rid, "item_id": "open_change_first", "value": None, "text": texts[i % len(texts)]}
        )
        if instrument == "officials":
            answers.append({"respondent": rid, "item_id": "bg_region", "value": None, "text": region})
    quotas = {"officials": {"bg_region=north": 8, "bg_region=south": 50}}
    return ReportInput(title="Test survey", administration="Test Customs", wave=2 if previous else 1,
                       respondents=pd.DataFrame(respondents), answers=pd.DataFrame(answers), items=items,
                       quotas=quotas, previous=previous)  # fmt: skip


@pytest.fixture(scope="module")
def report():
    inp = make_input(seed=1, shift=0.6, previous=make_input(seed=2))
    return build_report(inp, lang="fr", classifier=KeywordClassifier(), n_boot=200)


def test_report_fieldwork_suppresses_small_cells(report) -> None:
    fw = report.fieldwork
    assert fw.total == 40 and fw.by_language == {"en": "37", "pt": "n<5"}
    north, south = fw.strata
    assert north.reached and not south.reached and north.margin_of_error is not None


def test_report_scores_gap_and_wave_change(report) -> None:
    assert set(report.factor_table["group"]) == {"officials", "private_sector"}
    assert report.gap is not None and set(report.gap["factor"]) == {"leadership", "hrm"}
    assert report.change is not None and (report.change["difference"] > 0).all()


def test_report_themes_quote_verbatim(report) -> None:
    all_texts = {t for ts in OPEN.values() for t in ts}
    blocks = {b.factor: b for b in report.themes}
    assert blocks["hrm"].n_answers >= 5 and blocks["hrm"].themes
    for block in report.themes:
        for theme in block.themes:
            assert theme.size >= 5
            assert all(q.text in all_texts for q in theme.quotes)


def test_report_html_is_self_contained_and_in_the_language(report) -> None:
    html = render_html(report)
    assert '<html lang="fr">' in html and "Écart de perception" in html and "Évolution depuis la vague" in html
    assert html.count("<svg") >= 3
    assert not re.search(r'(src|href)="https?://', html)
    assert "n&lt;5" in html or "n<5" in html


def test_report_escapes_answer_text() -> None:
    inp = make_input(seed=3)
    inp.answers.loc[inp.answers["item_id"] == "open_change_first", "text"] = "<script>alert(1)</script> training"
    html = render_html(build_report(inp, classifier=KeywordClassifier(), n_boot=50))
    assert "<script>alert(1)</script>" not in html


def test_report_pdf_renders(report) -> None:
    pdf = render_pdf(report)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
