"""Numbers in the report follow the report language: "66,6" in French, "66.6" in English, one formatter."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis.numbers import number, percent
from analysis.report import build_report, render_html
from analysis.report.charts import difference_chart
from analysis.weights import WeightSummary
from tests.analysis.test_report import KeywordClassifier, make_input

#: A factor cell of the index table: the index, then its interval under it.
CELL = re.compile(r'<td class="num">([^<]+)<br><span class="note ci">([^<]+)</span></td>')
NNBSP = "\u202f"  # CLDR's French thousands separator (narrow no-break space)


def test_number_writes_the_languages_decimal_mark_and_thousands() -> None:
    assert [number(66.64, 1, lang) for lang in ("en", "fr", "es", "pt")] == ["66.6", "66,6", "66,6", "66,6"]
    assert number(1200, 0, "fr") == f"1{NNBSP}200" and number(1200, 0, "en") == "1,200"
    assert number(3.44, 1, "fr", signed=True) == "+3,4" and number(-3.44, 1, "en", signed=True) == "-3.4"
    assert percent(0.3, "fr") == "30 %" and number(float("nan"), 1) == "–"


@pytest.fixture(scope="module")
def reports():
    """The same weighted data reported in French and in English (one south target in the thousands)."""
    inp = make_input(seed=1, shift=0.6, previous=make_input(seed=2))
    inp.quotas = {"officials": {"bg_region=north": 8, "bg_region=south": 1200}}
    inp.weighting = {"officials": WeightSummary("poststratification", 20, 1.2345, 16.2, ["bg_region"])}
    return {lang: build_report(inp, lang=lang, classifier=KeywordClassifier(), n_boot=100) for lang in ("fr", "en")}


def _expected_cells(report, lang: str) -> list[tuple[str, str]]:
    table = report.factor_table.dropna(subset=["index"])
    return [(number(r.index, 1, lang), f"{number(r.ci_low, 1, lang)}–{number(r.ci_high, 1, lang)}")
            for r in table.itertuples()]  # fmt: skip


def test_french_report_writes_indices_intervals_and_weights_with_a_comma(reports) -> None:
    report = reports["fr"]
    html = render_html(report)
    cells = CELL.findall(html)
    assert cells and sorted(cells) == sorted(_expected_cells(report, "fr"))
    for index, interval in cells:
        assert re.fullmatch(r"\d+,\d", index) and re.fullmatch(r"\d+,\d–\d+,\d", interval), (index, interval)
    weighting = html.split('id="weighting"')[1].split("</p>")[0]
    assert "1,23" in weighting and "1.23" not in weighting  # design effect
    assert re.search(r"\b16\b", weighting)  # effective n, a whole number
    assert f">1{NNBSP}200<" in html  # the south target, French thousands
    item_index = number(report.weakest.iloc[0]["index"], 1, "fr")
    assert f'<td class="num">{item_index}</td>' in html and "," in item_index
    assert re.search(r'<td class="num">\d+ %</td>', html)  # the items' "don't know" shares


def test_english_report_keeps_the_point(reports) -> None:
    report = reports["en"]
    html = render_html(report)
    cells = CELL.findall(html)
    assert cells and sorted(cells) == sorted(_expected_cells(report, "en"))
    assert all(re.fullmatch(r"\d+\.\d", index) for index, _ in cells)
    assert "1.23" in html.split('id="weighting"')[1].split("</p>")[0] and ">1,200<" in html


def test_difference_chart_labels_follow_the_language() -> None:
    table = pd.DataFrame({"factor": ["hrm", "audit"], "difference": [3.44, -12.5], "significant": [True, False]})
    french, english = difference_chart(table, "fr"), difference_chart(table, "en")
    assert "+3,4 *" in french and "-12,5" in french and "+3.4 *" not in french
    assert "+3.4 *" in english and "-12.5" in english
    assert not np.isnan(table["difference"]).any()


def test_briefing_counts_have_the_languages_thousands() -> None:
    from analysis.briefing import i18n
    from analysis.briefing.subjects import sentence

    assert i18n.count("fr", "answers_to", 1200) == f"1{NNBSP}200 contributions sur cette question."
    assert i18n.count("en", "answers_to", 1200) == "1,200 contributions on this question."
    assert f"(1{NNBSP}200 sur 2{NNBSP}000)" in sentence("fr", 1200, 2000, ["formation"], 0)


def test_report_subtitle_counts_respondents_with_the_languages_thousands() -> None:
    inp = make_input(seed=3, n=1200)
    subtitles = {lang: build_report(inp, lang=lang, classifier=KeywordClassifier(), n_boot=20).subtitle
                 for lang in ("fr", "en")}  # fmt: skip
    assert subtitles["fr"].endswith(f"1{NNBSP}200 répondants") and subtitles["en"].endswith("1,200 respondents")
