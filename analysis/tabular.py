"""CSV as people make it and as spreadsheets open it: separators, formula cells.

Light on purpose (standard library only): the web app imports it for its exports.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

#: First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula
#: (OWASP "CSV Injection"): = + - @, tab and carriage return.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
#: Where a spreadsheet may start a new cell inside what we wrote as one: Excel splits on the
#: list separator of its locale ("," in English, ";" in French, Spanish, Portuguese, German...),
#: on tabs when pasting, and on "|" when a user picks it in the import wizard. Python's csv
#: writer quotes only cells holding its own delimiter, quotes or line breaks, so the others
#: reach the file bare. (Line breaks always come quoted, and a cell starting with one is
#: caught by :data:`FORMULA_TRIGGERS`.) Text after any of them is checked like a cell start.
CELL_SEPARATORS = ",;\t|"
_SEPARATOR = re.compile(f"[{re.escape(CELL_SEPARATORS)}]")


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


class MalformedCSV(ValueError):
    """A record the csv module cannot read: ``line`` is where it starts (a quote left open swallows the rest)."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line, self.problem = line, problem


def csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """``(line where the record starts, cells)`` of a CSV text, its separator judged on its first non-blank line.

    ``newline=""``: a quoted cell keeps its line breaks (and U+2028) as written, instead of being cut into rows
    by ``str.splitlines()``; ``strict``: a quote left open is an error, not every later row read into one cell.
    """
    header_line = next((line for line in text.split("\n") if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(header_line), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise MalformedCSV(start, str(exc)) from exc
        yield start, row


def neutralise_formula(value: Any, *, split: bool = True) -> Any:
    """Prefix a text that a spreadsheet would run as a formula with a single quote.

    Only text is touched: a number stored as a number (``-1``) stays a number, while the
    *text* ``"-2+3"`` becomes ``"'-2+3"``. Everything else is returned unchanged. With
    ``split`` (text files a spreadsheet parses itself: CSV), every piece that follows one of
    :data:`CELL_SEPARATORS` gets the same treatment, so ``"a;=1+1"`` becomes ``"a;'=1+1"``:
    Excel in a ";" locale opening a ","-separated file would otherwise run ``=1+1``. XLSX
    cells are never split by a spreadsheet and pass ``split=False``.
    """
    if not isinstance(value, str):
        return value
    head = "'" if _formula_like(value) else ""
    if not split:
        return head + value
    pieces = _SEPARATOR.split(value)
    out, at = [head, pieces[0]], len(pieces[0])
    for piece in pieces[1:]:
        out.append(value[at])  # the separator itself
        out.append("'" + piece if _formula_like(piece, quoted=True) else piece)
        at += 1 + len(piece)
    return "".join(out)


def _formula_like(text: str, *, quoted: bool = False) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula. Inside a line, a piece that
    opens with a double quote is read as a quoted cell, so ``"=1+1"`` counts too (``quoted``)."""
    start = _formula_start(text)
    if quoted:
        start = _formula_start(start.lstrip('"'))
    return text.startswith(FORMULA_TRIGGERS) or start.startswith(FORMULA_TRIGGERS)


def _formula_start(value: str) -> str:
    """What a spreadsheet may see first: some trim spaces, line breaks and zero-width
    characters on import, and read full-width ``＝`` as ``=`` (NFKC)."""
    return unicodedata.normalize("NFKC", value).lstrip(" \n\r\t\u00a0\u200b\u200c\u200d\ufeff")
