"""Code points, not bags of words: points scored on their own, the point developed most, programme talk as `other`."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.chooser import LABELS, candidate_features
from analysis.codebook import Codebook
from analysis.factors import FACTOR_IDS, OTHER
from analysis.features import analyse
from analysis.points import score_points
from analysis.segment import split_points

HRM, CONDUCT, OTHER_COL = FACTOR_IDS.index("hrm"), FACTOR_IDS.index("conduct"), len(FACTOR_IDS)


class KeywordPipeline:
    """A fitted pipeline stand-in: 0.9 for the factor of a keyword in the text, 0.05 elsewhere."""

    KEYWORDS = {"training": HRM, "trained": HRM, "code": CONDUCT, "gifts": CONDUCT}

    def predict_proba(self, docs) -> np.ndarray:
        out = np.full((len(docs), len(LABELS)), 0.05)
        for i, doc in enumerate(docs):
            for word, column in self.KEYWORDS.items():
                if word in doc.text.lower():
                    out[i, column] = 0.9
        return out


def test_sentences_are_points_only_when_asked_and_abbreviations_end_none() -> None:
    text = "We trained the staff. The main change was the code of conduct, e.g. Article 5 on gifts. Dr. Silva led it."
    assert split_points(text) == [text]  # lists only, as before (the briefing relies on it)
    assert split_points(text, sentences=True) == [
        "We trained the staff", "The main change was the code of conduct, e.g. Article 5 on gifts",
        "Dr. Silva led it"]  # fmt: skip
    assert split_points("1) training. More of it; 2) gifts", sentences=True) == ["training", "More of it", "gifts"]


def test_the_point_developed_most_gets_the_largest_share() -> None:
    # Training is a means named in passing; the answer develops the code of conduct.
    text = ("Staff were trained. The new code of conduct now sets out, for every post, which gifts may be "
            "accepted, how conflicts of interest are declared and who answers for breaches of the code.")  # fmt: skip
    [doc] = analyse([text], ["en"])
    whole = KeywordPipeline().predict_proba([doc])
    proba, developed = score_points(KeywordPipeline(), [text], ["en"], whole, None, sentences=True)
    assert developed[0, CONDUCT] > 3 * developed[0, HRM] > 0
    assert developed[0].sum() == pytest.approx(1.0)
    # Without sentence points both factors weigh the same: the whole answer names both.
    _, flat = score_points(KeywordPipeline(), [text], ["en"], whole, None, sentences=False)
    assert flat[0, CONDUCT] == pytest.approx(flat[0, HRM])
    np.testing.assert_array_equal(proba, whole)  # sentences weigh points; they do not add labels


def test_a_list_point_still_lifts_its_factor() -> None:
    text = "Two requests: - more training - a code of conduct"
    docs = analyse([text], ["en"])
    whole = np.full((1, len(LABELS)), 0.05)
    proba, _ = score_points(KeywordPipeline(), [text], ["en"], whole, None)
    assert proba[0, HRM] == proba[0, CONDUCT] == 0.9 and proba[0, OTHER_COL] == 0.05
    assert docs[0].text == text


def test_points_probabilities_go_through_the_blend_when_one_is_given() -> None:
    # The embedding block's say on each point: here it hears "rotation" as hrm, which the keywords miss.
    text = "Two requests: - staff rotation - a code of conduct"
    whole = np.full((1, len(LABELS)), 0.05)
    seen: list[tuple[str, str]] = []

    def blend(proba: np.ndarray, texts: list[str], langs: list[str]) -> np.ndarray:
        seen.extend(zip(texts, langs, strict=True))
        out = proba.copy()
        out[[i for i, t in enumerate(texts) if "rotation" in t], HRM] = 0.8
        return out

    plain, plain_developed = score_points(KeywordPipeline(), [text], ["en"], whole, None)
    blended, developed = score_points(KeywordPipeline(), [text], ["en"], whole, None, blend=blend)
    assert sorted(seen) == [("Two requests", "en"), ("a code of conduct", "en"), ("staff rotation", "en")]
    assert plain[0, HRM] == 0.05 and blended[0, HRM] == 0.8 and blended[0, CONDUCT] == 0.9
    assert developed[0, HRM] > 2 * plain_developed[0, HRM]


def test_the_chooser_sees_which_candidate_is_developed_most() -> None:
    docs = analyse(["Formation des agents et code de conduite"], ["fr"])
    proba = np.full((1, len(LABELS)), 0.5)
    developed = np.zeros((1, len(LABELS)))
    developed[0, CONDUCT], developed[0, HRM] = 0.7, 0.3
    X = candidate_features(proba, docs, np.full(len(LABELS), 0.5), developed)
    plain = candidate_features(proba, docs, np.full(len(LABELS), 0.5))
    share, most = 9, 10  # the last two columns of the factor block (after the nine of the codebook and model)
    assert X[0, CONDUCT, share] == 0.7 and X[0, CONDUCT, most] == 1 and X[0, HRM, most] == 0
    assert not plain[0, :, share].any()  # no points measured: no evidence either way


PROGRAMME_TALK = [
    ("The A-CPI programme and the CIPS survey report gave our administration a baseline.", "en"),
    ("Les résultats de l'enquête de perception et la mission de diagnostic du programme A-CPI ont été utiles.", "fr"),
    ("El informe de la encuesta de percepción y la autoevaluación nos dieron un punto de partida.", "es"),
    ("Os resultados do inquérito de perceção e a missão de diagnóstico foram muito úteis.", "pt"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "lang"), PROGRAMME_TALK)
def test_programme_talk_is_evidence_for_other_in_four_languages(text: str, lang: str) -> None:
    [hits] = Codebook.load().match([text], [lang])
    assert {h.factor for h in hits} == {OTHER}, [(h.concept, h.term) for h in hits]


class PrefersOther:
    """A chooser stand-in whose primary is always ``other``."""

    def scores(self, proba, docs, thresholds, developed=None) -> np.ndarray:
        out = np.zeros((len(proba), len(LABELS)))
        out[:, OTHER_COL] = 1.0
        return out


def test_other_is_decided_on_its_own_evidence_not_only_when_no_factor_passes() -> None:
    from analysis.classify import FactorClassifier

    model = FactorClassifier()
    model.thresholds_, model.chooser_ = np.full(len(LABELS), 0.5), PrefersOther()
    proba = np.full((1, len(LABELS)), 0.05)
    proba[0, HRM] = 0.9  # "the regional workshop on training": hrm passes its threshold, in passing
    docs = analyse(["The regional workshop on training was excellent, thanks to the WCO."], ["en"])
    assert model._decide(proba, docs) == [[OTHER]]
    model.other_from_chooser = False  # the former rule: a passing factor stays whatever the chooser says
    assert model._decide(proba, docs) == [["hrm"]]
