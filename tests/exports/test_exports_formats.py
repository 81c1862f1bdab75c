"""Export writers' pure helpers: formula neutralisation, SPSS names, byte-safe truncation."""

from __future__ import annotations

from typing import Any

import pytest

from cips.exports.formats import csv_cell, neutralise_formula, spss_names, truncate_bytes, xlsx_cell


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=1+1"])
def test_exports_neutralise_formula_prefixes_a_quote(text: str) -> None:
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", [-1, -2.5, 0, 3, None, "plain text", "a=b", "'=already"])
def test_exports_neutralise_formula_leaves_numbers_and_harmless_text(value: Any) -> None:
    assert neutralise_formula(value) == value
    assert type(neutralise_formula(value)) is type(value)


def test_exports_formula_hidden_behind_spaces_or_lookalikes_is_neutralised() -> None:
    for sneaky in (" =1+1", "\n=1+1", "＝1+1", "\u200b=1+1", "\u00a0@SUM(A1)", "\tx"):
        assert neutralise_formula(sneaky) == "'" + sneaky, repr(sneaky)
    assert neutralise_formula("a = b") == "a = b" and neutralise_formula(-1) == -1


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        (";=1+1", ";'=1+1"),  # Excel in fr/es/pt splits a ","-file on ";"
        ("ok,=1+1", "ok,'=1+1"),
        ("a\t@SUM(A1)", "a\t'@SUM(A1)"),
        ("a|+1", "a|'+1"),
        ("x; =1", "x;' =1"),  # spaces a spreadsheet trims
        ('x;"=1+1"', 'x;\'"=1+1"'),  # a piece read as a quoted cell
        ("=1;=2", "'=1;'=2"),
        ("a;;＝1", "a;;'＝1"),
    ],
)
def test_exports_formula_after_any_separator_is_neutralised(text: str, safe: str) -> None:
    assert neutralise_formula(text) == safe
    assert csv_cell(text) == safe
    assert xlsx_cell(text) == neutralise_formula(text, split=False)  # an XLSX cell is never split


@pytest.mark.parametrize("text", ["a; b, c", "1,5", "a;'=already", "x | y", "line one\nline two"])
def test_exports_separators_without_formula_leave_text_alone(text: str) -> None:
    assert neutralise_formula(text) == text
    assert neutralise_formula(neutralise_formula(";=1")) == ";'=1"  # applying it twice changes nothing more


def test_exports_spss_names_are_valid_and_unique() -> None:
    names = spss_names(["lead_1", "with", "all", "channels/email", "channels_email", "Lead_1", "x" * 80, "x" * 70,
                        "_a"])  # fmt: skip
    assert names["lead_1"] == "lead_1" and names["with"] == "v_with" and names["all"] == "v_all"
    assert names["channels/email"] == "channels_email" and names["channels_email"] == "channels_email_2"
    assert names["Lead_1"] == "Lead_1_2"  # SPSS names ignore case
    assert len(names["x" * 80]) == 64 and len(names["x" * 70]) == 64 and names["x" * 80] != names["x" * 70]
    assert names["_a"] == "v__a"
    assert len({n.upper() for n in names.values()}) == len(names)


def test_exports_truncate_bytes_cuts_on_a_character_boundary() -> None:
    text = "é" * 200
    cut = truncate_bytes(text, 256)
    assert len(cut.encode()) <= 256 and cut.endswith("…") and cut.startswith("é" * 100)
    assert truncate_bytes("short", 256) == "short"
