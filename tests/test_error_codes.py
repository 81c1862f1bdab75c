"""Error codes of the app and the library: one code, one meaning, written in one of two errors modules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.errors import Errors as LibraryErrors
from cips.submissions.errors import Errors as WritePathErrors

ROOT = Path(__file__).resolve().parent.parent
ERRORS_MODULES = {ROOT / "analysis" / "errors.py", ROOT / "cips" / "submissions" / "errors.py"}


def _codes(cls: type) -> set[str]:
    return {name for name in vars(cls) if name.startswith("E") and name[1:].isdigit()}


def test_error_codes_of_app_and_library_never_overlap_and_keep_their_ranges() -> None:
    library, write_path = _codes(LibraryErrors), _codes(WritePathErrors)
    assert not library & write_path
    assert all(code.startswith("E7") for code in write_path) and not any(code.startswith("E7") for code in library)


@pytest.mark.parametrize("code", sorted(_codes(WritePathErrors)))
def test_error_codes_of_the_write_path_are_raised_where_named(code: str) -> None:
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "cips").rglob("*.py") if p not in ERRORS_MODULES]
    assert any(f"Errors.{code}" in text for text in sources), f"{code} is never raised"
    assert getattr(WritePathErrors, code).startswith(f"{code}: ")


def test_error_codes_are_not_written_as_literals_outside_the_errors_modules() -> None:
    literal = re.compile(r"[\"']E\d{3}:")
    found = [str(p.relative_to(ROOT)) for folder in ("cips", "analysis") for p in (ROOT / folder).rglob("*.py")
             if p not in ERRORS_MODULES and literal.search(p.read_text(encoding="utf-8"))]  # fmt: skip
    assert found == []
