"""The review queue as an Excel workbook, for reviewers who code offline, and back.

:func:`write_review_xlsx` writes one row per answer: what the reviewer reads (id, question,
language, text, the model's labels, primary and confidence, who coded it last), then one
column per label (the ten RAD factors and ``other``: 1 or blank), the primary (a drop-down
of the ids) and ``confirmed`` (1 = I checked this row). Code columns start from the current
decision, else from the model's suggestion, so a reviewer corrects rather than retypes. A
``codebook`` sheet lists the ids, names and definitions.

:func:`read_review_xlsx` reads it back against the same records and returns a
:class:`ReviewDiff`: the answers whose coding changes (from what to what) and one
:class:`CellError` per bad cell, named ``sheet!cell`` (unknown factor, primary not among the
labels, unknown or repeated id, edited text...). Nothing is applied here: the caller shows the
diff and stores the codes only when there is no error. Answers' text is never taken from the
file: a changed text is an error, so an import can carry codes only. A record whose ``text`` is
None (an encrypted campaign's answer: the server that reads the file back never had its text)
has its text cell neither compared nor read; :func:`file_suggestions` then gives the model's
suggestion as the file holds it, computed where the answers were decrypted.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from analysis.errors import Errors
from analysis.factors import FACTOR_DEFINITIONS, FACTOR_IDS, OTHER, factor_name
from analysis.tabular import neutralise_formula

SHEET = "review"
CODEBOOK_SHEET = "codebook"
#: Label columns, one per factor then ``other``: 1 when the answer is about it, blank when not.
LABEL_COLUMNS: tuple[str, ...] = (*FACTOR_IDS, OTHER)
INFO_COLUMNS = ("id", "question", "language", "text", "model_labels", "model_primary", "model_confidence",
                "coded_by")  # fmt: skip
COLUMNS: tuple[str, ...] = (*INFO_COLUMNS, *LABEL_COLUMNS, "primary", "confirmed")
#: Excel keeps at most 32,767 characters in a cell; a longer answer is cut (and compared cut).
MAX_CELL_TEXT = 32_000
_TRUE = {"1", "x"}
_FALSE = {"", "0"}


@dataclass(frozen=True)
class ReviewRecord:
    """One answer of the queue. ``decision_*``: the latest person's coding, None when only the model coded it.
    ``text`` None: not known where the file is read back (never compared)."""

    id: str
    question: str
    language: str
    text: str | None
    model_labels: Sequence[str]
    model_primary: str
    model_confidence: float | None = None
    decision_labels: Sequence[str] | None = None
    decision_primary: str | None = None

    @property
    def current(self) -> tuple[tuple[str, ...], str, str]:
        """(labels, primary, source) that the spreadsheet starts from: the decision, else the model's."""
        if self.decision_labels is not None and self.decision_primary is not None:
            return _ordered(self.decision_labels, self.decision_primary), self.decision_primary, "reviewer"
        return _ordered(self.model_labels, self.model_primary), self.model_primary, "model"


@dataclass(frozen=True)
class Change:
    """An answer whose coding the file changes. ``before_source``: ``reviewer`` or ``model``.

    ``kind``: ``confirm`` (the model's suggestion accepted as it is), ``correct`` (a first
    decision that differs from the model), ``revise`` (a person's earlier decision changed).
    """

    id: str
    before_labels: tuple[str, ...]
    before_primary: str
    before_source: str
    labels: tuple[str, ...]
    primary: str
    kind: str


@dataclass(frozen=True)
class CellError:
    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}: {self.message}"


@dataclass
class ReviewDiff:
    """What importing the file would do: ``changes`` to apply, only when ``errors`` is empty."""

    changes: list[Change] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    rows: int = 0  # data rows read

    @property
    def ok(self) -> bool:
        return not self.errors


class ReviewFileError(ValueError):
    """A file that is not a review workbook at all (not XLSX, no review sheet, missing columns)."""


def write_review_xlsx(records: Sequence[ReviewRecord], lang: str = "en") -> bytes:
    """The review workbook of ``records`` as XLSX bytes; factor names in ``lang`` on the codebook sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        labels, primary, source = record.current
        confidence = None if record.model_confidence is None else round(float(record.model_confidence), 3)
        sheet.append([
            _text(str(record.id)), _text(record.question), _text(record.language), review_text(record.text),
            _text(", ".join(_ordered(record.model_labels, record.model_primary))), _text(record.model_primary),
            confidence, source,
            *[1 if label in labels else None for label in LABEL_COLUMNS],
            primary, 1 if source == "reviewer" else None,
        ])  # fmt: skip
    last = max(2, len(records) + 1)
    first_code = get_column_letter(len(INFO_COLUMNS) + 1)
    last_code = get_column_letter(len(INFO_COLUMNS) + len(LABEL_COLUMNS))
    primary_col = get_column_letter(COLUMNS.index("primary") + 1)
    confirmed_col = get_column_letter(COLUMNS.index("confirmed") + 1)
    ones = DataValidation(type="list", formula1='"1"', allow_blank=True, showErrorMessage=True, errorTitle="1 or blank",
                          error="Type 1 when the answer is about this label, else leave blank.")  # fmt: skip
    ones.add(f"{first_code}2:{last_code}{last}")
    ones.add(f"{confirmed_col}2:{confirmed_col}{last}")
    ids = DataValidation(type="list", formula1=f"{CODEBOOK_SHEET}!$A$2:$A${len(LABEL_COLUMNS) + 1}",
                         allow_blank=True, showErrorMessage=True, errorTitle="Unknown label",
                         error=f"Pick a label id listed on the {CODEBOOK_SHEET} sheet.")  # fmt: skip
    ids.add(f"{primary_col}2:{primary_col}{last}")
    sheet.add_data_validation(ones)
    sheet.add_data_validation(ids)
    sheet.freeze_panes = "E2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    widths = {"id": 10, "question": 18, "language": 6, "text": 70, "model_labels": 22, "model_primary": 14,
              "model_confidence": 8, "coded_by": 9, "primary": 14, "confirmed": 9}  # fmt: skip
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 6)
    for cell in sheet["D"][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    codebook = book.create_sheet(CODEBOOK_SHEET)
    codebook.append(["id", "name", "definition"])
    for cell in codebook[1]:
        cell.font = Font(bold=True)
    for label in LABEL_COLUMNS:
        codebook.append([label, _text(factor_name(label, lang)), _text(FACTOR_DEFINITIONS[label])])
    codebook.column_dimensions["A"].width = 16
    codebook.column_dimensions["B"].width = 34
    codebook.column_dimensions["C"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_review_xlsx(source: bytes | Path | str, records: Sequence[ReviewRecord]) -> ReviewDiff:
    """Compare a filled-in review workbook with ``records`` (the queue it was exported from, as it is now).

    Raises :class:`ReviewFileError` when the file cannot be read as a review workbook;
    otherwise every bad cell is one error in the result and nothing is half-read.
    """
    sheet = _open_sheet(source)
    rows = sheet.iter_rows(values_only=False)
    header = next(rows, None)
    if header is None:
        raise ReviewFileError(Errors.E612.format(sheet=SHEET, missing=", ".join(COLUMNS)))
    diff = ReviewDiff()
    where: dict[str, int] = {}  # column name -> index in a row
    for index, cell in enumerate(header):
        name = _plain(cell.value).lower()
        if not name:
            continue
        if name not in COLUMNS:  # a label column the file invented ("bribery"), or a typo in one
            diff.errors.append(CellError(SHEET, cell.coordinate, Errors.E613.format(name=name)))
        elif name in where:
            diff.errors.append(CellError(SHEET, cell.coordinate, Errors.E614.format(name=name)))
        else:
            where[name] = index
    missing = [c for c in ("id", "text", *LABEL_COLUMNS, "primary") if c not in where]
    if missing:
        raise ReviewFileError(Errors.E612.format(sheet=SHEET, missing=", ".join(missing)))
    by_id = {str(r.id): r for r in records}
    seen: dict[str, str] = {}
    for row in rows:
        if all(_plain(c.value) == "" for c in row):
            continue
        diff.rows += 1
        change = _read_row(row, where, by_id, seen, diff.errors)
        if change is not None:
            diff.changes.append(change)
    return diff


def file_suggestions(source: bytes | Path | str) -> dict[str, tuple[list[str], str]]:
    """Per row id, the model's labels and primary as the workbook holds them (unknown labels left out)."""
    sheet = _open_sheet(source)
    rows = sheet.iter_rows(values_only=True)
    header = [_plain(v).lower() for v in next(rows, None) or ()]
    missing = [c for c in ("id", "model_labels", "model_primary") if c not in header]
    if missing:
        raise ReviewFileError(Errors.E612.format(sheet=SHEET, missing=", ".join(missing)))
    at = {name: header.index(name) for name in ("id", "model_labels", "model_primary")}
    out: dict[str, tuple[list[str], str]] = {}
    for row in rows:
        answer_id, written_labels, written_primary = (
            _plain(row[at[name]] if at[name] < len(row) else None) for name in ("id", "model_labels", "model_primary")
        )
        labels = [label for label in (part.strip().lower() for part in written_labels.split(","))
                  if label in LABEL_COLUMNS]  # fmt: skip
        primary = written_primary.lower()
        primary = primary if primary in labels else (labels[0] if labels else OTHER)
        if answer_id:
            out.setdefault(answer_id, (labels or [OTHER], primary))
    return out


def review_text(text: str) -> str:
    """An answer's text as the workbook holds it (formula-neutralised, XML-safe, cut to a cell)."""
    text = text if len(text) <= MAX_CELL_TEXT else text[:MAX_CELL_TEXT] + "…"
    return _text(text)


def _text(value: str) -> str:
    # Replaced, not removed: no formula trigger can surface at the start (as cips' exports do).
    return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value), split=False)


def _open_sheet(source: bytes | Path | str) -> Any:
    try:
        book = load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML and its own errors for non-XLSX input
        raise ReviewFileError(Errors.E611.format(reason=type(exc).__name__)) from exc
    if SHEET not in book.sheetnames:
        raise ReviewFileError(Errors.E612.format(sheet=SHEET, missing=f"the sheet {SHEET!r}"))
    return book[SHEET]


def _read_row(row: Sequence[Any], where: dict[str, int], by_id: dict[str, ReviewRecord], seen: dict[str, str],
              errors: list[CellError]) -> Change | None:  # fmt: skip
    def cell(name: str) -> Any:
        index = where.get(name)
        return row[index] if index is not None and index < len(row) else None

    def error(name: str, message: str) -> None:
        at = cell(name)
        coordinate = at.coordinate if at is not None else f"{name}{row[0].row}"
        errors.append(CellError(SHEET, coordinate, message))

    id_cell = cell("id")
    answer_id = _plain(id_cell.value if id_cell is not None else None)
    record = by_id.get(answer_id)
    if record is None:
        error("id", Errors.E615.format(id=answer_id) if answer_id else Errors.E616)
        return None
    if answer_id in seen:
        error("id", Errors.E617.format(id=answer_id, first=seen[answer_id]))
        return None
    seen[answer_id] = id_cell.coordinate
    text_cell = cell("text")
    written = text_cell.value if text_cell is not None else None
    if record.text is not None and _lines(written) != _lines(review_text(record.text)):
        error("text", Errors.E618)
        return None
    bad = len(errors)
    labels = []
    for label in LABEL_COLUMNS:
        value = _plain(cell(label).value if cell(label) is not None else None).lower()
        if value in _TRUE:
            labels.append(label)
        elif value not in _FALSE:
            error(label, Errors.E619.format(column=label, value=value))
    confirmed = _plain(cell("confirmed").value if cell("confirmed") is not None else None).lower()
    if confirmed not in _TRUE | _FALSE:
        error("confirmed", Errors.E619.format(column="confirmed", value=confirmed))
    primary = _plain(cell("primary").value if cell("primary") is not None else None).lower()
    if OTHER in labels and len(labels) > 1:
        error(OTHER, Errors.E620)
    if primary and primary not in LABEL_COLUMNS:
        error("primary", Errors.E621.format(label=primary, sheet=CODEBOOK_SHEET))
    elif not labels:
        error("primary" if primary else OTHER, Errors.E622)
    elif not primary:
        if len(labels) == 1:
            primary = labels[0]  # one label: it is the primary, no need to repeat it
        else:
            error("primary", Errors.E623.format(labels=", ".join(labels)))
    elif primary not in labels:
        error("primary", Errors.E624.format(label=primary, labels=", ".join(labels)))
    if len(errors) > bad:
        return None
    before_labels, before_primary, source = record.current
    after = _ordered(labels, primary)
    if (set(after), primary) != (set(before_labels), before_primary):
        kind = "revise" if source == "reviewer" else "correct"
    elif source == "model" and confirmed in _TRUE:
        kind = "confirm"
    else:
        return None
    return Change(answer_id, before_labels, before_primary, source, after, primary, kind)


def _ordered(labels: Sequence[str], primary: str) -> tuple[str, ...]:
    """Primary first, then the others in codebook order (an empty list reads as ``other``)."""
    rest = [label for label in LABEL_COLUMNS if label in set(labels) and label != primary]
    return (primary, *rest) if primary else tuple(rest) or (OTHER,)


def _plain(value: Any) -> str:
    """A cell as text: 1.0 and 1 read "1", None reads ""; spaces around are dropped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _lines(value: Any) -> str:
    # Spreadsheets may save line breaks as CRLF and drop trailing spaces: not an edit.
    return "\n".join(line.rstrip() for line in _plain_text(value).replace("\r\n", "\n").split("\n")).strip()


def _plain_text(value: Any) -> str:
    return "" if value is None else str(value)
