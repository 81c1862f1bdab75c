from __future__ import annotations

import pytest

from analysis.nlp import get_pipeline, normalise, terms


def test_nlp_lemmas_without_stop_words_or_accents() -> None:
    out = terms(
        ["Les agents ne sont jamais sanctionnés", "The officers were rotating", "Os servidores não são punidos"],
        ["fr", "en", "pt"],
    )
    assert out[0] == ["agent", "jamais", "sanctionner"]
    assert out[1] == ["officer", "rotate"]
    assert "punir" in out[2] and "os" not in out[2]


def test_nlp_unaccented_spelling_finds_the_same_lemma() -> None:
    accented, plain = terms(["décisions motivées", "decisions motivees"], ["fr", "fr"])
    assert accented == plain == ["decision", "motiver"]


def test_nlp_pipeline_is_blank_plus_registered_component_and_cached() -> None:
    nlp = get_pipeline("es")
    assert nlp.pipe_names == ["rad_normaliser"]
    assert get_pipeline("es") is nlp
    assert get_pipeline("xx").lang == "en"  # unknown languages fall back, never download


def test_nlp_mismatched_lengths_raise_coded_error() -> None:
    with pytest.raises(ValueError, match="E101"):
        terms(["a", "b"], ["en"])


def test_nlp_normalise() -> None:
    assert normalise("RÉFORME à l'État") == "reforme a l'etat"
