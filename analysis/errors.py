"""Every error message of the library, once, with a unique code (as spaCy's ``errors.py``).

A code is never reused for another meaning: it is what users search for and what tests
match. Ranges: E1xx language and text processing, E2xx codebook, E3xx classifier,
E4xx themes, E5xx reports. ``Errors.E101.format(...)`` gives ``"E101: ..."``.
"""

from __future__ import annotations


class _WithCodes(type):
    def __getattribute__(cls, code: str) -> str:
        message = super().__getattribute__(code)
        return f"{code}: {message}" if code.startswith("E") and code[1:].isdigit() else message


class Errors(metaclass=_WithCodes):
    E101 = "{n_texts} texts but {n_langs} languages"
    E102 = "detect_language takes a list of texts; for one text use detect_one(text)"

    E201 = "cannot read codebook {path}: {reason}"
    E202 = "{where}: expected a mapping with 'factors' (and optionally 'other')"
    E203 = "invalid codebook:\n  {problems}"

    E301 = "Y has {n_columns} columns, expected {n_factors} (one per factor)"
    E302 = "unknown label {label!r} in row {row}"
    E303 = "{n_texts} texts but {n_rows} label rows"
    E304 = "expected a sequence of texts, got a single string"
    E305 = "{n_primary} primary labels but {n_rows} label rows"
    E306 = "{n_groups} groups but {n_texts} texts"
    E307 = "unknown primary label(s) {labels}"

    E401 = "need at least 2 answers to find themes, got {n_texts}"

    E501 = "no report text for language {lang!r} (available: {available})"
    E502 = (
        "PDF output needs WeasyPrint and Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0); "
        "HTML output works without them. ({reason})"
    )


def codes() -> list[str]:
    """Every code defined above (a test checks they are unique and all used)."""
    return [name for name in vars(Errors) if name.startswith("E") and name[1:].isdigit()]
