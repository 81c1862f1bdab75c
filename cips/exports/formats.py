"""Write export frames as CSV, XLSX and SPSS .sav bytes.

Spreadsheets run cells that look like formulas, so every text cell written to CSV or XLSX
goes through :func:`neutralise_formula` (CSV injection, OWASP). SPSS runs nothing: the .sav
keeps answers verbatim, with variable and value labels instead.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from analysis.tabular import neutralise_formula
from cips.exports.table import CODEBOOK_COLUMNS, NON_SUBSTANTIVE_CODES, Kind, Variable

# SPSS limits: variable names 64 bytes, variable labels 256, value labels 120, file label 64.
SPSS_NAME_BYTES, SPSS_LABEL_BYTES, SPSS_VALUE_LABEL_BYTES, SPSS_FILE_LABEL_BYTES = 64, 256, 120, 64
_SPSS_RESERVED = frozenset("ALL AND BY EQ GE GT LE LT NE NOT OR TO WITH".split())
XLSX_SHEET_CHARS = 31


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str | bool) and bool(pd.isna(value)))


def _plain(value: Any) -> Any:
    """numpy/pandas scalars as plain Python values; integral floats as ints (``4`` not ``4.0``)."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def csv_cell(value: Any) -> str:
    """A value as CSV text: numbers plain, datetimes ISO 8601 UTC, text neutralised."""
    if _missing(value):
        return ""
    value = _plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")  # frames hold naive UTC
    return neutralise_formula(str(value))


def xlsx_cell(value: Any) -> Any:
    """A value as an openpyxl cell value: numbers and datetimes typed, text neutralised.

    Control characters that XML 1.0 forbids are replaced by U+FFFD (openpyxl refuses
    them); replaced, not removed, so that no formula trigger can surface at the start.
    """
    if _missing(value):
        return None
    value = _plain(value)
    if isinstance(value, str):
        return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value), split=False)
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel shows accents right; CRLF as RFC 4180 says."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def frame_csv(frame: pd.DataFrame) -> bytes:
    return csv_bytes(list(frame.columns), frame.itertuples(index=False, name=None))


def codebook_csv(rows: list[dict[str, Any]]) -> bytes:
    return csv_bytes(CODEBOOK_COLUMNS, ([row[c] for c in CODEBOOK_COLUMNS] for row in rows))


#: Sheets (xlsx) and files (zip) that come after the questionnaires' data, in this order.
EXTRA_SHEETS = ("codebook", "paradata", "excluded")


def sheet_names(keys: Sequence[str], reserved: Sequence[str] = EXTRA_SHEETS) -> dict[str, str]:
    """Excel sheet names (31 characters at most, unique regardless of case) for instrument keys."""
    used = {r.lower() for r in reserved}
    return {key: _unique(key[:XLSX_SHEET_CHARS], used, XLSX_SHEET_CHARS) for key in keys}


def _unique(base: str, used: set[str], limit: int) -> str:
    """``base``, or ``base_2``, ``base_3``… cut to ``limit``: the first not in ``used`` (case-folded,
    as both Excel and SPSS compare names), which it is then added to."""
    name, n = base, 1
    while name.casefold() in used:
        n += 1
        name = f"{base[: limit - len(str(n)) - 1]}_{n}"
    used.add(name.casefold())
    return name


def xlsx_bytes(sheets: dict[str, pd.DataFrame], codebook: list[dict[str, Any]],
               extras: dict[str, pd.DataFrame] | None = None) -> bytes:  # fmt: skip
    """One sheet per questionnaire (named by ``sheets``' keys, already valid), then ``codebook``,
    then each of ``extras`` (names from :data:`EXTRA_SHEETS`)."""
    book = Workbook(write_only=True)  # streams rows: a 20,000-respondent campaign stays small in memory
    bold = Font(bold=True)

    def add(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        cells = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=xlsx_cell(name))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            sheet.append([xlsx_cell(v) for v in row])

    for title, frame in sheets.items():
        add(title, list(frame.columns), frame.itertuples(index=False, name=None))
    add("codebook", CODEBOOK_COLUMNS, ([row[c] for c in CODEBOOK_COLUMNS] for row in codebook))
    for title, frame in (extras or {}).items():
        add(title, list(frame.columns), frame.itertuples(index=False, name=None))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def truncate_bytes(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes on a character boundary, ending in "…" when cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[: limit - len("…".encode())].decode("utf-8", errors="ignore")
    return cut.rstrip() + "…"


def spss_names(names: Sequence[str]) -> dict[str, str]:
    """Valid, unique SPSS variable names for export columns (most item ids are already valid).

    SPSS wants a letter first, then letters, digits or ``_`` (``.@#$`` too, avoided here),
    at most 64 bytes, none of its reserved words, unique regardless of case.
    """
    used: set[str] = set()
    out: dict[str, str] = {}
    for name in names:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name)
        if not base[:1].isalpha() or base.upper() in _SPSS_RESERVED:
            base = f"v_{base}"
        out[name] = _unique(base[:SPSS_NAME_BYTES], used, SPSS_NAME_BYTES)
    return out


def _codes(var: Variable, values: Iterable[Any]) -> tuple[list[float], dict[float, str]]:
    """Single-choice values as codes 1..k in choice order; an unlisted value gets the next code."""
    codes = {value: float(n) for n, (value, _) in enumerate(var.value_labels, start=1)}
    labels = {codes[value]: label for value, label in var.value_labels}
    out = []
    for value in values:
        if _missing(value):
            out.append(math.nan)
            continue
        if value not in codes:  # never drop an answer the codebook does not know
            codes[value] = float(len(codes) + 1)
            labels[codes[value]] = str(value)
        out.append(codes[value])
    return out, labels


def sav_bytes(frame: pd.DataFrame, variables: list[Variable], names: dict[str, str], *, file_label: str) -> bytes:
    """The frame as an SPSS .sav: variable labels, value labels, measure levels and formats."""
    data: dict[str, Any] = {}
    labels: dict[str, str] = {}
    value_labels: dict[str, dict[float, str]] = {}
    measure: dict[str, str] = {}
    formats: dict[str, str] = {}
    missing: dict[str, list[float]] = {}
    for var in variables:
        name, column = names[var.name], frame[var.name]
        labels[name] = truncate_bytes(var.label, SPSS_LABEL_BYTES)
        if var.kind is Kind.single:
            data[name], value_labels[name] = _codes(var, column)
            measure[name], formats[name] = "nominal", f"F{len(str(len(value_labels[name])))}.0"
        elif var.kind in (Kind.likert5, Kind.choice):
            data[name] = column.astype(float).to_numpy()
            value_labels[name] = {float(v): label for v, label in var.value_labels}
            measure[name], formats[name] = ("ordinal" if var.kind is Kind.likert5 else "nominal"), "F1.0"
            if var.kind is Kind.likert5 and var.non_substantive:
                missing[name] = [float(NON_SUBSTANTIVE_CODES[w]) for w in var.non_substantive]
        elif var.kind is Kind.number:
            data[name], measure[name] = column.astype(float).to_numpy(), "scale"
        elif var.name == "instrument_version":
            data[name], measure[name], formats[name] = column.astype(float).to_numpy(), "nominal", "F4.0"
        elif var.name == "submitted_at":
            data[name], measure[name] = pd.to_datetime(column).to_numpy(), "scale"
        else:  # text, multi, and the text meta columns; SPSS has no missing text, so ""
            data[name], measure[name] = ["" if _missing(v) else str(v) for v in column], "nominal"
    for name, pairs in value_labels.items():
        value_labels[name] = {code: truncate_bytes(label, SPSS_VALUE_LABEL_BYTES) for code, label in pairs.items()}
    frame_out = pd.DataFrame(data, index=range(len(frame)))
    with tempfile.TemporaryDirectory(prefix="cips-sav-") as tmp:  # pyreadstat writes only to a path
        path = Path(tmp) / "export.sav"
        pyreadstat.write_sav(frame_out, path, file_label=truncate_bytes(file_label, SPSS_FILE_LABEL_BYTES),
                             column_labels=labels, variable_value_labels=value_labels, variable_measure=measure,
                             variable_format=formats, missing_ranges=missing or None, row_compress=True)  # fmt: skip
        return path.read_bytes()
