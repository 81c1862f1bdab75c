from __future__ import annotations

import pytest

from analysis.language import UNDETERMINED, _detect_one, detect_language, language_code, stock_langdetect


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The head of customs should lead by example and sanction those who take bribes.", "en"),
        ("Les agents des douanes devraient être formés et changer de poste régulièrement.", "fr"),
        ("Los funcionarios de aduana deberían rotar y recibir capacitación continua.", "es"),
        ("Os servidores da alfândega precisam de formação e de salários dignos.", "pt"),
        ("decisions jamais motivees, aucun recours possible pour les operateurs", "fr"),
        ("mas informatizacion y menos tramites en papel en la aduana", "es"),
    ],
)
def test_language_detects_the_four_survey_languages(text: str, lang: str) -> None:
    assert detect_language([text]) == [lang]


@pytest.mark.parametrize("text", ["", "ok", "n/a", "123 456", "!!!", None])
def test_language_too_short_or_empty_is_und(text) -> None:
    assert detect_language([text]) == [UNDETERMINED]


def test_language_is_deterministic_and_batched(corpus) -> None:
    texts = [e.text for e in corpus[:300]]
    first = detect_language(texts)
    _detect_one.cache_clear()
    assert detect_language(texts) == first
    assert len(first) == 300


def test_language_is_at_least_as_accurate_as_stock_langdetect(corpus) -> None:
    texts, gold = [e.text for e in corpus], [e.lang for e in corpus]
    _detect_one.cache_clear()
    ours = detect_language(texts)
    stock = stock_langdetect(texts[:400])
    ours_acc = sum(a == b for a, b in zip(ours, gold, strict=True)) / len(gold)
    stock_acc = sum(a == b for a, b in zip(stock, gold[:400], strict=True)) / 400
    assert ours_acc >= 0.97
    assert ours_acc >= stock_acc - 0.01


ENGLISH_WITH_DO_AS_NO = [
    "No gifts, no favours, no exceptions.",
    "Do as you are told, no questions asked.",
    "As a customs officer I do my job, no matter what.",
]


@pytest.mark.parametrize("text", ENGLISH_WITH_DO_AS_NO)
def test_language_english_with_do_as_no_is_not_portuguese(text: str) -> None:
    # "do", "as", "no" once made the function-word shortcut answer "pt" without asking langdetect
    # (which may still misread a six-word slogan: it is short-text statistics, not a rule).
    assert detect_language([text]) != ["pt"]
    if len(text.split()) > 6:
        assert detect_language([text]) == ["en"]


def test_language_one_string_is_refused_not_read_letter_by_letter() -> None:
    with pytest.raises(TypeError, match="E102"):
        detect_language("Hello world")


@pytest.mark.parametrize(
    ("given", "code"),
    [("fr", "fr"), ("FR", "fr"), ("fr-FR", "fr"), ("pt_BR", "pt"), (" es ", "es"), ("de", "und"), ("", "und")],
)
def test_language_code_reads_codes_as_users_write_them(given, code) -> None:
    assert language_code(given) == code
    assert language_code(5) == UNDETERMINED


def test_language_code_case_and_region_reach_the_same_model_input(default_model) -> None:
    text = "Les agents reçoivent des cadeaux des transitaires en échange de faveurs."
    expected = default_model.predict_labels([text], ["fr"])
    assert default_model.predict_labels([text] * 3, ["FR", "fr-FR", "fr_CA"]) == expected * 3
