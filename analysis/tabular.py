"""CSV as people make it and as spreadsheets open it: separators, formula cells.

Light on purpose (standard library only): the web app imports it for its exports.
"""

from __future__ import annotations

import unicodedata
from typing import Any

#: First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula
#: (OWASP "CSV Injection"): = + - @, tab and carriage return.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_delimiter(header: str) -> str:
    """The separator of a CSV file, judged on its header line.

    Excel in French, Spanish and Portuguese locales writes ";"-separated CSV; "Unicode text"
    is tab-separated. A header with none of them is a one-column file: ",".
    """
    counts = dict.fromkeys((",", ";", "\t"), 0)
    quoted = False
    for char in header:  # separators inside a quoted column name ("text, answer";lang) do not count
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(counts, key=lambda d: (counts[d], d == ","))


def neutralise_formula(value: Any) -> Any:
    """Prefix a text that a spreadsheet would run as a formula with a single quote.

    Only text is touched: a number stored as a number (``-1``) stays a number, while the
    *text* ``"-2+3"`` becomes ``"'-2+3"``. Everything else is returned unchanged.
    """
    if isinstance(value, str) and (value.startswith(FORMULA_TRIGGERS)
                                   or _formula_start(value).startswith(FORMULA_TRIGGERS)):  # fmt: skip
        return "'" + value
    return value


def _formula_start(value: str) -> str:
    """What a spreadsheet may see first: some trim spaces, line breaks and zero-width
    characters on import, and read full-width ``＝`` as ``=`` (NFKC)."""
    return unicodedata.normalize("NFKC", value).lstrip(" \n\r\t\u00a0\u200b\u200c\u200d\ufeff")
