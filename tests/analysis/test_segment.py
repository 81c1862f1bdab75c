"""Splitting answers into points: real lists are split, dashes and references inside a sentence are not."""

from __future__ import annotations

import pytest

from analysis.segment import split_points


@pytest.mark.parametrize(
    "text",
    [
        "The survey – which was anonymous – was trusted by staff at every post.",
        "Nous avons - comme prévu - formé les agents des bureaux frontaliers.",
        "La encuesta — anónima y confidencial — fue bien recibida por el personal.",
        "Note: the survey – anonymous – was trusted.",
    ],
)
def test_a_parenthetical_dash_is_not_a_list(text: str) -> None:
    assert split_points(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "As provided in Article 5 (a) of the Customs Code, every decision can be appealed.",
        "Les recours prévus au paragraphe 3 a) du code restent peu connus des usagers.",
        "We raised the matter in 2. Then the working group met again.",
        "Under Article 5 (a) and (b) of the Code, every decision can be appealed.",
        "Les recours prévus au paragraphe 2 a) et 2 b) du code restent peu connus.",
        "Los incisos (a), (b) y (c) del artículo 12 regulan las exenciones.",
    ],
)
def test_an_inline_reference_is_not_a_list(text: str) -> None:
    assert split_points(text) == [text]


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("1) more training; 2) electronic payment; 3) asset declarations",
         ["more training", "electronic payment", "asset declarations"]),
        ("Our priorities: (a) training of officers (b) rotation (c) e-payment",
         ["Our priorities", "training of officers", "rotation", "e-payment"]),
        ("Two things: - training - rotation", ["Two things", "training", "rotation"]),
        ("- training\n- rotation\n- pay", ["training", "rotation", "pay"]),
        ("• peer exchange • WCO tools", ["peer exchange", "WCO tools"]),
        ("We ask for 1. a second survey 2. training of trainers", ["We ask for", "a second survey",
                                                                  "training of trainers"]),
        ("Staff trained: (a) 120 (b) 95 (c) 60", ["Staff trained", "120", "95", "60"]),
    ],
)  # fmt: skip
def test_real_lists_are_split_into_substrings(text: str, points: list[str]) -> None:
    assert split_points(text) == points
    assert all(p in text for p in points)
