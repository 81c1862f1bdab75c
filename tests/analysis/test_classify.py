from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from analysis.chooser import PrimaryChooser, candidate_features
from analysis.classify import FactorClassifier
from analysis.factors import FACTOR_IDS, OTHER
from analysis.features import analyse
from analysis.folds import folds_of
from analysis.label_codes import primary_index, to_indicator


@pytest.mark.parametrize(
    "check",
    [check_no_attributes_set_in_init, check_parameters_default_constructible, check_get_params_invariance,
     check_set_params],
)  # fmt: skip
def test_classify_passes_sklearn_api_checks(check) -> None:
    check("FactorClassifier", FactorClassifier())


def test_classify_predict_before_fit_raises() -> None:
    with pytest.raises(NotFittedError):
        FactorClassifier().predict(["training"])


def test_classify_fit_returns_self_and_learned_state_ends_in_underscore(corpus) -> None:
    small = corpus[::4]
    model = FactorClassifier(cv=3)
    assert model.fit([e.text for e in small], [list(e.labels) for e in small]) is model
    assert model.thresholds_.shape == (len(FACTOR_IDS) + 1,)
    assert list(model.classes_) == list(FACTOR_IDS)
    assert clone(model).get_params() == model.get_params()
    assert not hasattr(clone(model), "model_")


def test_classify_is_deterministic(corpus) -> None:
    small = corpus[::5]
    texts, labels = [e.text for e in small], [list(e.labels) for e in small]
    probe = ["Il faut plus de formation et de rotation des agents", "Thanks to the WCO for the workshops"]
    a = FactorClassifier(cv=3).fit(texts, labels).predict_proba(probe)
    b = FactorClassifier(cv=3).fit(texts, labels).predict_proba(probe)
    np.testing.assert_array_equal(a, b)


def test_classify_indicator_matrix_and_label_lists_agree() -> None:
    y = to_indicator([["hrm", "audit"], [OTHER]])
    assert y.shape == (2, 10) and y[0, FACTOR_IDS.index("hrm")] == 1 and y[1].sum() == 0
    with pytest.raises(ValueError, match="E302"):
        to_indicator([["bribery"]])


@pytest.mark.parametrize(
    ("text", "factor"),
    [
        ("Officers stay at the same desk for fifteen years; rotation and merit-based promotion are needed.", "hrm"),
        ("Les plaintes contre les agents ne donnent jamais lieu à une enquête ni à une sanction.", "audit"),
        ("Todo sigue en papel, necesitamos despacho electrónico y pago en línea.", "automation"),
        ("A alfândega nunca consulta os despachantes antes de mudar os procedimentos.", "private_sector"),
    ],
)
def test_classify_default_model_finds_the_factor_in_each_language(default_model, text, factor) -> None:
    assert default_model.predict_labels([text]) == [[factor]]


def test_classify_default_model_says_other_for_programme_praise(default_model) -> None:
    texts = ["Merci à l'OMD pour ce programme très utile et pour l'échange d'expériences entre administrations.",
             "Thank you, nothing to add."]  # fmt: skip
    assert default_model.predict_primary(texts) == [OTHER, OTHER]


# "more training" sits near the edge between hrm and other (the model trained with sets 10 and 11 but not 12 coded it
# other): each retraining is checked on the bare request and its neighbours in wording.
@pytest.mark.parametrize("text", ["more training", "More training", "training", "more training for officers"])
def test_classify_default_model_codes_a_bare_training_request_as_hrm(default_model, text) -> None:
    """Its cross-lingual neighbours (programme answers about training workshops, coded other) would outvote hrm."""
    assert default_model.predict_labels([text]) == [["hrm"]]


def test_classify_outputs_have_consistent_shapes(default_model) -> None:
    texts = ["more training for officers", "", "Thanks", "Le code de conduite sur les cadeaux n'est pas appliqué"]
    proba = default_model.predict_proba(texts)
    pred = default_model.predict(texts)
    assert proba.shape == pred.shape == (4, 10)
    assert ((proba >= 0) & (proba <= 1)).all()
    labels = default_model.predict_labels(texts)
    assert labels == [["hrm"], [OTHER], [OTHER], ["conduct"]]
    for row, ls in zip(pred, labels, strict=True):
        assert sorted(ls) == sorted([FACTOR_IDS[j] for j in np.flatnonzero(row)] or [OTHER])


def test_classify_explain_gives_concepts_and_terms(default_model) -> None:
    evidence = default_model.explain("Les agents acceptent des cadeaux des commissionnaires, conflit d'intérêts.")
    assert "conduct" in evidence
    assert any(item.startswith("concept:") for item in evidence["conduct"])


@pytest.mark.parametrize(
    ("answers", "factor"),
    [
        (["Officers should rotate every three years and get regular training.",
          "Les agents devraient changer de poste tous les trois ans et recevoir des formations régulières.",
          "Los funcionarios deberían rotar cada tres años y recibir capacitación periódica.",
          "Os servidores deveriam fazer rodízio a cada três anos e receber capacitação regular."], "hrm"),
        (["The system goes down every week and then everything is done on paper again.",
          "Le système tombe en panne chaque semaine et tout repasse sur papier.",
          "El sistema se cae cada semana y todo vuelve al papel.",
          "O sistema cai toda semana e tudo volta para o papel."], "automation"),
        (["Thank you for the survey.", "Merci pour l'enquête.", "Gracias por el cuestionario.",
          "Obrigado pelo questionário."], OTHER),
    ],
)  # fmt: skip
def test_classify_parallel_paraphrases_get_the_same_factors_in_four_languages(default_model, answers, factor) -> None:
    labels = default_model.predict_labels(answers, ["en", "fr", "es", "pt"])
    assert [ls[0] for ls in labels] == [factor] * 4, labels


def test_classify_primary_chooser_is_fitted_and_primary_is_among_labels(corpus) -> None:
    small = corpus[::3]
    model = FactorClassifier(cv=3).fit([e.text for e in small], [list(e.labels) for e in small],
                                       langs=[e.lang for e in small])  # fmt: skip
    assert isinstance(model.chooser_, PrimaryChooser)
    probe = corpus[1::7][:60]
    labels = model.predict_labels([e.text for e in probe], [e.lang for e in probe])
    primary = model.predict_primary([e.text for e in probe], [e.lang for e in probe])
    rows = model.predict([e.text for e in probe], [e.lang for e in probe])
    for ls, p, row in zip(labels, primary, rows, strict=True):
        assert p == ls[0]
        assert ls == [OTHER] or OTHER not in ls
        assert sorted(ls) == sorted([FACTOR_IDS[j] for j in np.flatnonzero(row)] or [OTHER])


def test_classify_primary_chooser_is_deterministic(corpus) -> None:
    small = corpus[1::4]
    texts, labels = [e.text for e in small], [list(e.labels) for e in small]
    probe = ["1) formation des agents 2) paiement électronique 3) rotation", "The DG must lead by example on gifts."]
    a = FactorClassifier(cv=3).fit(texts, labels)
    b = FactorClassifier(cv=3).fit(texts, labels)
    np.testing.assert_array_equal(a.chooser_.lr_.coef_, b.chooser_.lr_.coef_)
    assert a.predict_labels(probe) == b.predict_labels(probe)


def test_classify_without_chooser_ranks_labels_by_probability(corpus) -> None:
    small = corpus[::4]
    model = FactorClassifier(cv=3, primary_chooser=False).fit([e.text for e in small], [list(e.labels) for e in small])
    assert model.chooser_ is None
    probe = ["Plus de formation, de rotation et de paiement en ligne; les chefs doivent montrer l'exemple."]
    labels, proba = model.predict_labels_and_proba(probe)
    ranked = [proba[0, FACTOR_IDS.index(f)] for f in labels[0] if f != OTHER]
    assert ranked == sorted(ranked, reverse=True)


def test_classify_primary_of_training_rows_comes_from_label_order_or_argument() -> None:
    assert list(primary_index([["audit", "hrm"], [OTHER]], to_indicator([["audit", "hrm"], [OTHER]]), None)) == [
        FACTOR_IDS.index("audit"), len(FACTOR_IDS)]  # fmt: skip
    # An indicator matrix has no order: only rows with one label (or none) say which is primary.
    y = to_indicator([["audit", "hrm"], ["hrm"], [OTHER]])
    assert list(primary_index(y, y, None)) == [-1, FACTOR_IDS.index("hrm"), len(FACTOR_IDS)]
    assert list(primary_index(y, y, ["hrm", "hrm", OTHER])) == [FACTOR_IDS.index("hrm")] * 2 + [len(FACTOR_IDS)]
    with pytest.raises(ValueError, match="E305"):
        primary_index(y, y, ["hrm"])
    with pytest.raises(ValueError, match="E307: unknown primary label"):
        primary_index(y, y, ["hrm", "hrm", "bribery"])


def test_classify_candidate_features_mark_the_first_and_most_named_factor() -> None:
    doc = analyse(["Formation, formation et encore formation des agents; aussi un code de conduite."], ["fr"])
    proba = np.full((1, len(FACTOR_IDS) + 1), 0.2)
    X = candidate_features(proba, doc, np.full(len(FACTOR_IDS) + 1, 0.5))
    assert X.shape[:2] == (1, len(FACTOR_IDS) + 1)
    hrm, conduct = FACTOR_IDS.index("hrm"), FACTOR_IDS.index("conduct")
    first_named, most_named = 6, 7  # columns of the factor block
    assert X[0, hrm, first_named] == 1 and X[0, conduct, first_named] == 0
    assert X[0, hrm, most_named] == 1
    assert X[0, hrm, 3] > X[0, conduct, 3] > 0  # log1p(hits)
    assert not X[0, len(FACTOR_IDS), :9].any()  # "other" has its own block


def test_classify_folds_keep_translations_of_one_answer_together() -> None:
    groups = [None, "g1", "g1", None, "g2", "g2", "g2", "g2", None, None, "g3", "g3"]
    seen = []
    for train, test in folds_of(len(groups), 3, groups, random_state=0):
        assert not {groups[i] for i in train} & {groups[i] for i in test} - {None}
        seen += list(test)
    assert sorted(seen) == list(range(len(groups)))  # every answer is tested exactly once
    with pytest.raises(ValueError, match="E306"):
        list(folds_of(3, 2, ["a", "b"], random_state=0))


def test_classify_fits_when_groups_are_fewer_than_folds(corpus) -> None:
    hrm = [e for e in corpus if e.labels == ("hrm",)][:15]
    auto = [e for e in corpus if e.labels == ("automation",)][:15]
    texts, labels = [e.text for e in hrm + auto], [["hrm"]] * 15 + [["automation"]] * 15
    groups = (["a"] * 8 + ["b"] * 7) * 2  # two groups of translations: 5 folds cannot keep them whole
    model = FactorClassifier().fit(texts, labels, langs=[e.lang for e in hrm + auto], groups=groups)
    assert model.chooser_ is not None  # out-of-fold data from 2 group-preserving folds
    assert model.predict_labels(["Paiement électronique en ligne"]) == [["automation"]]
    with pytest.raises(ValueError, match="E306"):
        FactorClassifier().fit(texts, labels, groups=["a"])
