from __future__ import annotations

import dataclasses
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis.privacy import Hidden
from analysis.report import ReportInput, build_report, render_html, render_pdf
from analysis.report.build import _theme_block, fieldwork, in_respondents, theme_blocks
from analysis.report.i18n import text
from analysis.scores import SUPPRESSED
from analysis.topics import Quote, Theme
from analysis.weights import WeightSummary

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
    # 3 Portuguese hidden, and English too, or 40 - 37 (the total is in the subtitle) gives them
    # away: English has 5 or more, so both read "hidden to protect a small group", not "n<5".
    assert fw.total == 40 and fw.by_language == {"en": Hidden.GROUP, "pt": Hidden.GROUP}
    north, south = fw.strata
    assert north.reached and not south.reached and north.margin_of_error is not None


def test_report_scores_gap_and_wave_change(report) -> None:
    assert set(report.factor_table["group"]) == {"officials", "private_sector"}
    assert report.gap is not None and set(report.gap["factor"]) == {"leadership", "hrm"}
    assert report.change is not None and (report.change["difference"] > 0).all()


def test_report_themes_quote_verbatim(report) -> None:
    all_texts = {t for ts in OPEN.values() for t in ts}
    blocks = {b.factor: b for b in report.themes}
    assert blocks["hrm"].n_respondents >= 5 and blocks["hrm"].themes
    for block in report.themes:
        for theme in block.themes:
            assert theme.size >= 5
            assert all(q.text in all_texts for q in theme.quotes)


def test_report_themes_count_respondents_not_answers() -> None:
    # Two people who each gave the same training answer to three open questions are six answers but two
    # respondents: no theme, no language count and no factor count may rest on them.
    inp = make_input(seed=3, n=12)
    extra = [{"respondent": rid, "item_id": item, "value": None, "text": "Officers need training courses."}
             for rid in ("w3-r0", "w3-r1") for item in ("open_a", "open_b", "open_c")]  # fmt: skip
    items = pd.DataFrame([("private_sector" if i == "open_a" else "officials", i, "text", None, False, "?")
                          for i in ("open_a", "open_b", "open_c")], columns=inp.items.columns)  # fmt: skip
    inp = dataclasses.replace(inp, answers=pd.concat([inp.answers, pd.DataFrame(extra)], ignore_index=True),
                              items=pd.concat([inp.items, items], ignore_index=True))  # fmt: skip
    blocks = {b.factor: b for b in theme_blocks(inp, "en", KeywordClassifier(), min_theme=5)}
    hrm = blocks["hrm"]
    people = {r for r, t in zip(inp.answers["respondent"], inp.answers["text"], strict=True)
              if isinstance(t, str) and ("train" in t.lower() or "formation" in t.lower())}  # fmt: skip
    assert hrm.n_respondents == len(people)
    # Each person counted once: themes and smaller themes add up to the factor, languages to a theme.
    assert sum(t.size for t in hrm.themes) + hrm.hidden_small == hrm.n_respondents
    for theme in hrm.themes:
        assert theme.size >= 5 and sum(theme.languages.values()) == theme.size


def test_report_a_person_in_two_themes_and_two_languages_counts_once() -> None:
    # Overlapping counts give a small cell away by subtraction (factor 10, themes 6 and 5: one person in
    # both); each person goes to the theme holding most of their answers, in their most used language.
    themes = [Theme(id=0, label="a", size=3, languages={}, top_concepts=[], factors=["hrm"]),
              Theme(id=1, label="b", size=3, languages={}, top_concepts=[], factors=["hrm"]),
              Theme(id=2, label="c", size=1, languages={}, top_concepts=[], factors=["hrm"])]  # fmt: skip
    topic_of = [0, 0, 1, 1, 0, 1, 2]
    people = ["p1", "p1", "p1", "p2", "p3", "p3", "p4"]
    langs = ["en", "fr", "fr", "en", "pt", "pt", "es"]
    counted = {t.id: t for t in in_respondents(themes, topic_of, people, langs)}
    assert {k: t.size for k, t in counted.items()} == {0: 2, 1: 1, 2: 1}  # p3: a tie, to the first (0)
    assert counted[0].languages == {"pt": 1, "fr": 1} and sum(t.size for t in counted.values()) == 4


def test_report_a_hidden_theme_size_reads_as_a_sentence(report) -> None:
    theme = Theme(id=0, label="Training", size=7, languages={"en": 6, "fr": 1}, top_concepts=["training"],
                  factors=["hrm"], quotes=[Quote(text="More training for officers.", lang="en")])  # fmt: skip
    block = _theme_block("hrm", 9, [theme], hidden_small=2)
    for lang in ("en", "fr", "es", "pt"):
        words = text(lang)
        html = render_html(dataclasses.replace(report, lang=lang, themes=[block]))
        # never "hidden to protect a small group answers": the label, then why it is hidden
        assert f"{words['hidden_group']}</abbr> {words['respondents']}" not in html
        assert f"{words['respondents_label']}{words['colon']}<abbr" in html
        assert words["small_themes_hidden"] in html


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


def test_report_theme_languages_and_smaller_themes_are_suppressed(report) -> None:
    # The tester's case: a theme of 7 answers, 6 in English and 1 in French, and 2 answers in
    # themes under 5, in a block of 9 (shown): neither the 1 nor the 2 may be printed, nor the
    # 6 and 7 they are the difference of.
    theme = Theme(id=0, label="Training", size=7, languages={"en": 6, "fr": 1}, top_concepts=["training"],
                  factors=["hrm"], quotes=[Quote(text="More training for officers.", lang="en")])  # fmt: skip
    block = _theme_block("hrm", 9, [theme], hidden_small=2)
    # 7 is hidden to protect the 2, so both read "hidden to protect a small group", never "n<5".
    assert block.sizes == [Hidden.GROUP] and block.hidden_display == Hidden.GROUP
    assert block.languages == [[("en", ""), ("fr", "")]]  # no counts: they would add up to the hidden size
    html = render_html(dataclasses.replace(report, themes=[block]))
    hidden = text(report.lang)["hidden_group"]
    # languages by name in the report's language (French here)
    assert "Français: 1" not in html and "Anglais: 6" not in html and "(Anglais, Français)" in html
    assert not re.search(r">\s*2 [^<]*\(", html) and text(report.lang)["small_themes_hidden"] in html
    # Without smaller themes the size (7) is shown, and the language split of 6 and 1 is not;
    # the 6 is no "n<5" (the tester's "11 answers (en: n<5, es: n<5)").
    alone = _theme_block("hrm", 7, [theme], hidden_small=0)
    assert alone.sizes == ["7"] and alone.languages == [[("en", Hidden.GROUP), ("fr", Hidden.GROUP)]]
    assert alone.hidden_display == ""
    html = render_html(dataclasses.replace(report, themes=[alone]))
    assert "Français: 1" not in html and "n&lt;5" not in html.split(">Training<")[-1].split("</p>")[0]
    colon = text(report.lang)["colon"]  # French: a no-break space before the colon
    assert f'Anglais{colon}<abbr title="{text(report.lang)["hidden_group_note"]}">{hidden}</abbr>' in html
    # Two small language counts are n<5: nothing larger is hidden with them.
    pair = _theme_block("hrm", 7, [dataclasses.replace(theme, languages={"en": 3, "fr": 2, "es": 2})], 0)
    assert pair.languages == [[("en", SUPPRESSED), ("es", SUPPRESSED), ("fr", SUPPRESSED)]]
    # A large theme keeps its figures.
    big = Theme(id=1, label="Complaints", size=12, languages={"en": 6, "fr": 6}, top_concepts=[], factors=["audit"])
    shown = _theme_block("audit", 12, [big], 0)
    assert shown.sizes == ["12"] and shown.languages == [[("en", "6"), ("fr", "6")]] and shown.hidden_display == ""
    # A theme of 9 hidden beside one of 2 in smaller themes: its languages lose their counts too.
    mixed = _theme_block("audit", 11, [dataclasses.replace(big, size=9, languages={"en": 9})], 2)
    assert mixed.sizes == [Hidden.GROUP] and mixed.languages == [[("en", "")]] and mixed.hidden_display == Hidden.GROUP


def test_report_hidden_stratum_shows_no_status_target_hint_or_margin(report) -> None:
    inp = make_input(seed=4, n=14)  # 7 officials: 4 in the north, 3 in the south
    inp.quotas = {"officials": {"bg_region=north": 3, "bg_region=south": 50}}
    fw = fieldwork(inp)
    north, south = fw.strata
    assert north.achieved == 4 and south.achieved == 3
    for row in (north, south):
        assert row.display == SUPPRESSED and row.reached is None and row.margin_of_error is None
    html = render_html(dataclasses.replace(report, fieldwork=fw))
    rows = re.findall(r"<tr><td>[^<]*</td><td>bg_region: (?:north|south)</td>.*?</tr>", html, re.S)
    assert len(rows) == 2
    assert all("n&lt;5" in row and "atteint" not in row.lower() and "pas encore" not in row for row in rows), rows


def test_report_builds_when_every_answer_is_the_same() -> None:
    # 12 identical questionnaires (no variance), as from 12 posts of tests/helpers.payload(): a
    # factor index of 66.67 whose bootstrap means landed 1e-14 above it, so the factor chart's
    # error bar was negative and matplotlib refused it ("'xerr' must not contain negative values").
    items = pd.DataFrame(
        [("officials", f"{factor}_{i}", "likert5", factor, False, f"Statement {factor} {i}.")
         for factor in ("lead", "hrm") for i in (1, 2, 3)]
        + [("officials", "open_change_first", "text", None, False, "What should change first?")],
        columns=["instrument", "item_id", "type", "factor", "reverse", "text"],
    ).replace({"factor": {"lead": "leadership"}})  # fmt: skip
    respondents = pd.DataFrame([{"respondent": f"r{i}", "instrument": "officials", "language": "en"}
                                for i in range(12)])  # fmt: skip
    answers = pd.DataFrame(
        [{"respondent": f"r{i}", "item_id": item, "value": value, "text": None}
         for i in range(12) for item, value in zip(items["item_id"][:6], (4, 4, 3, 2, 3, 3), strict=True)]
        + [{"respondent": f"r{i}", "item_id": "open_change_first", "value": None,
            "text": "More training for officers."} for i in range(12)]
    )  # fmt: skip
    inp = ReportInput(title="Flat", administration="Test Customs", wave=1, respondents=respondents,
                      answers=answers, items=items)  # fmt: skip
    report = build_report(inp, classifier=KeywordClassifier(), n_boot=200)
    table = report.factor_table.dropna(subset=["index"])
    assert len(table) == 2 and table["index"].round(2).tolist() == [66.67, 41.67]
    assert ((table["ci_low"] <= table["index"]) & (table["index"] <= table["ci_high"])).all()
    html = render_html(report)
    assert html.count("<svg") >= 1 and "66.7" in html


def test_report_names_strata_and_languages_in_the_report_language(report) -> None:
    inp = make_input(seed=4, n=14)
    inp.quotas = {"officials": {"bg_region=north": 3}}
    inp.stratum_labels = {"officials": {"bg_region=north": "Nord"}}
    fw = fieldwork(inp)
    assert fw.strata[0].stratum == "Nord"  # was "bg_region: north" (the tester's "ps_role: broker")
    html = render_html(dataclasses.replace(report, fieldwork=fw))
    assert "<td>Nord</td>" in html and "bg_region" not in html
    languages = html.split(text("fr")["language"])[1].split("</table>")[0]
    assert "<td>Anglais</td>" in languages and "<td>en</td>" not in languages


def test_report_import_leaves_bertopic_unloaded() -> None:
    """Importing the report (as the app does at start-up) does not load BERTopic: only building themes
    needs it, and it costs seconds and hundreds of MB in every worker that never builds a report."""
    code = "import sys, analysis.report; print('bertopic' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False", done.stderr


def test_report_shows_dont_know_as_its_own_share() -> None:
    """Statements' tables give the share of "don't know" beside the index, which leaves them out."""
    inp = make_input(seed=4)
    lead = (inp.answers["item_id"] == "lead_1") & inp.answers["respondent"].str.endswith(("r1", "r3", "r5", "r7",
                                                                                        "r9", "r11"))  # fmt: skip
    inp.answers.loc[lead, ["value", "text"]] = [None, "dont_know"]  # six officials: 6 of 20 asked
    report = build_report(inp, lang="fr", classifier=KeywordClassifier(), n_boot=50)
    rows = pd.concat([report.weakest, report.strongest]).drop_duplicates(["instrument", "item_id"])
    lead_1 = rows.set_index(["instrument", "item_id"]).loc[("officials", "lead_1")]
    assert lead_1["n"] == 14 and lead_1["non_substantive_display"] == "30 %"
    html = render_html(report)
    assert "Ne sait pas / préfère ne pas répondre" in html and "30 %" in html


def test_report_incomplete_text_analysis_note_hides_small_counts_once(report) -> None:
    from analysis.report.model import TextAnalysis

    html = render_html(dataclasses.replace(report, text_analysis=TextAnalysis(False, "e5", ready=3, total=40)))
    from markupsafe import escape

    expected = str(escape(text(report.lang)["themes_incomplete"].format(ready="n<5", total=40)))
    assert expected in html and "&amp;lt;" not in html


def test_report_gap_and_wave_change_use_the_weights_and_say_so() -> None:
    """Respondents of one region weighted 3 : 1 against the other: the gap and the change are
    the differences of the weighted means (each wave with its own weights), and the notes say so."""
    previous = make_input(seed=2)
    current = make_input(seed=1, shift=0.6, previous=previous)
    for inp in (current, previous):
        heavy = inp.respondents["bg_region"] == "south"
        inp.weights = pd.Series(np.where(heavy, 3.0, 1.0), index=inp.respondents["respondent"].to_numpy())
        inp.weighting = {"officials": WeightSummary("poststratification", len(inp.weights), 1.2, 30.0, ["bg_region"])}
    weighted = build_report(current, classifier=KeywordClassifier(), n_boot=200)
    plain = build_report(dataclasses.replace(current, weights=None, weighting={},
                                             previous=dataclasses.replace(previous, weights=None)),
                         classifier=KeywordClassifier(), n_boot=200)  # fmt: skip
    from analysis.report.build import all_scores

    scores = all_scores(current)
    groups = current.respondents.set_index("respondent")["instrument"]
    w = current.weights.reindex(scores.index)

    def mean(frame, weights, mask, factor):
        x, ww = frame.loc[mask, factor], weights[mask]
        ok = x.notna()
        return float((x[ok] * ww[ok]).sum() / ww[ok].sum())

    gap = weighted.gap.set_index("factor")
    for factor in ("leadership", "hrm"):
        expected = mean(scores, w, groups == "officials", factor) - mean(scores, w, groups == "private_sector", factor)
        assert gap.loc[factor, "difference"] == pytest.approx(expected)
        assert 0 <= gap.loc[factor, "p"] <= 1
    assert not np.allclose(weighted.gap["difference"], plain.gap["difference"])
    prev_scores = all_scores(previous)
    pw = previous.weights.reindex(prev_scores.index)
    change = weighted.change.set_index("factor")
    for factor in ("leadership", "hrm"):
        expected = (mean(scores, w, scores.index == scores.index, factor)
                    - mean(prev_scores, pw, prev_scores.index == prev_scores.index, factor))  # fmt: skip
        assert change.loc[factor, "difference"] == pytest.approx(expected)
    html, plain_html = render_html(weighted), render_html(plain)
    assert html.count(text("en")["compare_weighted"]) == 2  # gap and change
    assert plain_html.count(text("en")["compare_unweighted"]) == 2
