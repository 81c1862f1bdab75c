"""The thematic report uses the reviewed codes where people decided, and says how many were reviewed."""

from __future__ import annotations

from sqlmodel import Session

from analysis.report.build import theme_blocks
from analysis.report.i18n import TEXT
from cips.models import Campaign
from cips.services.coding import current_model_digest, open_answers, record_decision, suggest
from cips.services.reports import report_input
from tests.review.conftest import TEXTS, KeywordModel


class Labeller(KeywordModel):
    def predict_labels(self, texts, langs=None):
        return self.predict_labels_and_proba(texts, langs)[0]


def test_report_themes_count_the_reviewed_codes_and_the_note_says_how_many(answered: Campaign,
                                                                           session: Session) -> None:  # fmt: skip
    suggest(session, answered, KeywordModel(), current_model_digest())
    first = open_answers(session, answered)[0]  # the model says hrm
    record_decision(session, answered, first.answer_id, ["culture"], None, actor="r@example.org")
    inp = report_input(session, answered, "en")
    assert list(inp.codes.values()) == [["culture"]]
    assert inp.review["reviewed"] == 1 and inp.review["open_answers"] == len(TEXTS)
    blocks = {b.factor: b.n_respondents for b in theme_blocks(inp, "en", Labeller(), min_theme=10_000)}
    assert blocks["culture"] == 1 and blocks["hrm"] == 1  # "salaires" is still hrm; the promotion answer moved
    note = TEXT["fr"]["review_note"].format(reviewed="n<5", total=7, model="–", coder="–")
    assert note.startswith("n<5 réponses ouvertes sur 7 ont été revues")
    assert all("review_note" in words for words in TEXT.values())


def test_rendered_report_carries_the_review_note(answered: Campaign, session: Session) -> None:
    from analysis.report import build_report, render_html

    suggest(session, answered, KeywordModel(), current_model_digest())
    first = open_answers(session, answered)[0]
    record_decision(session, answered, first.answer_id, ["culture"], None, actor="r@example.org")
    html = render_html(build_report(report_input(session, answered, "en"), lang="en", classifier=Labeller(), n_boot=50))
    assert 'id="review-note"' in html
    # One answer reviewed: shown as n<5, escaped once (a macro's markup formatted into the text was escaped twice).
    assert f'id="review-note">n&lt;5 of {len(TEXTS)} open answers were reviewed by people' in html


def test_report_note_marks_a_coder_kappa_on_few_pairs(answered: Campaign, session: Session) -> None:
    from analysis.report import build_report, render_html

    report = build_report(report_input(session, answered, "en"), lang="en", classifier=Labeller(), n_boot=50)
    report.review = {"reviewed": 60, "open_answers": 80, "model_kappa": 0.8, "coder_kappa": 0.71, "second_coded": 5}
    assert "coder–coder 0.71 (5 answers coded twice: too few to rely on, under 30)" in render_html(report)
    report.review["second_coded"] = 30
    assert "coder–coder 0.71 (30 answers coded twice) (– : fewer" in render_html(report)


def test_report_note_prints_each_kappa_with_its_n_in_the_reports_number_format(answered: Campaign,
                                                                                session: Session) -> None:  # fmt: skip
    from analysis.report import build_report, render_html

    report = build_report(report_input(session, answered, "fr"), lang="fr", classifier=Labeller(), n_boot=50)
    report.review = {"reviewed": 60, "open_answers": 80, "model_kappa": 0.72, "model_pairs": 1200,
                     "coder_kappa": 0.65, "second_coded": 40}  # fmt: skip
    html = render_html(report)
    html = html[html.index('id="review-note"') :].split("</p>")[0]
    # French writes a decimal comma and groups thousands with a (narrow no-break) space.
    assert "modèle–réviseurs 0,72 (n = 1\u202f200 réponses comparées)" in html
    assert "entre codeurs 0,65 (40 réponses codées deux fois)" in html
    assert "0.72" not in html and "0.65" not in html
    report.review["model_pairs"] = 12
    assert "0,72 (n = 12 réponses comparées : trop peu pour s’y fier, moins de 30)" in render_html(report)
    report.review["model_kappa"] = None  # under 5 pairs: not computed
    assert "modèle–réviseurs – ;" in render_html(report)
