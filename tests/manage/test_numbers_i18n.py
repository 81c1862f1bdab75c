"""Counts inside the manager pages' plural sentences follow the interface locale ("1 200" in French)."""

from __future__ import annotations

from flask import Flask, render_template_string

NNBSP = "\u202f"  # CLDR's French thousands separator (narrow no-break space)
NOTE = '{% from "manage/_macros.html" import excluded_note %}{{ excluded_note({"speeder": 1200}) }}'


def test_excluded_note_writes_its_count_with_the_locales_thousands(app: Flask) -> None:
    with app.test_request_context("/?lang=fr"):
        french = render_template_string(NOTE)
    with app.test_request_context("/?lang=en"):
        english = render_template_string(NOTE)
    assert french.count(f"1{NNBSP}200") == 2 and "1200" not in french  # the sentence and the category
    assert english.count("1,200") == 2 and "1200" not in english
