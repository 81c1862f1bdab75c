"""Export writers' pure helpers: formula neutralisation, SPSS names, byte-safe truncation."""

from __future__ import annotations

from typing import Any

import pytest

from cips.exports.formats import neutralise_formula, spss_names, truncate_bytes


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
