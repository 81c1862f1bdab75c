"""analysis.errors: one code, one meaning, one place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from analysis.errors import Errors, codes

ANALYSIS = Path(__file__).resolve().parents[2] / "analysis"
ERRORS = ANALYSIS / "errors.py"


def test_errors_codes_are_unique() -> None:
    tree = ast.parse(ERRORS.read_text(encoding="utf-8"))
    errors_class = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Errors")
    names = [t.id for n in errors_class.body if isinstance(n, ast.Assign) for t in n.targets]
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]


def test_errors_every_code_is_used_and_written_only_in_errors_py() -> None:
    sources = {p: p.read_text(encoding="utf-8") for p in ANALYSIS.rglob("*.py") if p != ERRORS}
    for code in codes():
        assert any(f"Errors.{code}" in text for text in sources.values()), f"{code} is never raised"
    literal = re.compile(r"[\"']E\d{3}:")
    assert [str(p) for p, text in sources.items() if literal.search(text)] == []


def test_errors_messages_carry_their_code() -> None:
    assert Errors.E401.format(n_texts=1) == "E401: need at least 2 answers to find themes, got 1"
    assert Errors.E304 == "E304: expected a sequence of texts, got a single string"
