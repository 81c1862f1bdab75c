"""analysis.review_xlsx: the review queue to XLSX and back, with a diff and one error per bad cell."""

from __future__ import annotations

import io

import openpyxl
import pytest

from analysis.factors import FACTOR_IDS
from analysis.review_xlsx import (
    CODEBOOK_SHEET,
    COLUMNS,
    SHEET,
    ReviewFileError,
    ReviewRecord,
    read_review_xlsx,
    write_review_xlsx,
)

RECORDS = [
    ReviewRecord("a1", "Q12", "en", "=HYPERLINK(\"http://x\") brokers pay to skip the queue",
                 ["private_sector", "audit"], "private_sector", 0.42),
    ReviewRecord("a2", "Q12", "fr", "Plus de formation\net de rotation des agents", ["hrm"], "hrm", 0.93,
                 decision_labels=["hrm", "culture"], decision_primary="hrm"),
    ReviewRecord("a3", "Q13", "es", "Gracias a la OMA", ["other"], "other", 0.88),
]  # fmt: skip


def _book(records: list[ReviewRecord] = RECORDS) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(write_review_xlsx(records)))


def _bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _set(book: openpyxl.Workbook, row: int, column: str, value: object) -> str:
    """Write ``value`` in data row ``row`` (1 = first answer) of ``column``; returns the cell's address."""
    cell = book[SHEET].cell(row=row + 1, column=COLUMNS.index(column) + 1)
    cell.value = value
    return cell.coordinate


def test_export_has_one_row_per_answer_codes_a_codebook_and_no_formula() -> None:
    book = _book()
    sheet = book[SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS and len(rows) == 4
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first["text"].startswith("'=HYPERLINK")  # neutralised: a spreadsheet shows it as text
    assert (first["private_sector"], first["audit"], first["hrm"], first["primary"]) == (1, 1, None, "private_sector")
    assert (first["model_labels"], first["coded_by"], first["confirmed"]) == ("private_sector, audit", "model", None)
    second = dict(zip(COLUMNS, rows[2], strict=True))  # starts from the reviewer's decision, not the model's
    assert (second["culture"], second["coded_by"], second["confirmed"]) == (1, "reviewer", 1)
    codebook = list(book[CODEBOOK_SHEET].iter_rows(values_only=True))
    assert [r[0] for r in codebook[1:]] == [*FACTOR_IDS, "other"]
    assert codebook[8][1] == "Human Resource Management" and "rotation" in codebook[8][2]
    validations = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert validations["T2:T4"] == f"{CODEBOOK_SHEET}!$A$2:$A$12"


def test_round_trip_without_edits_changes_nothing() -> None:
    diff = read_review_xlsx(write_review_xlsx(RECORDS), RECORDS)
    assert (diff.ok, diff.changes, diff.rows) == (True, [], 3)


def test_edits_give_a_diff_from_what_to_what() -> None:
    book = _book()
    _set(book, 1, "audit", None)  # a1: drop audit, keep private_sector (a correction of the model)
    _set(book, 2, "primary", "culture")  # a2: the reviewer's own decision revised
    _set(book, 3, "confirmed", 1)  # a3: the model's "other" confirmed as it is
    diff = read_review_xlsx(_bytes(book), RECORDS)
    assert diff.ok, [str(e) for e in diff.errors]
    by_id = {c.id: c for c in diff.changes}
    assert (by_id["a1"].before_labels, by_id["a1"].labels, by_id["a1"].kind) == (
        ("private_sector", "audit"),
        ("private_sector",),
        "correct",
    )
    assert (by_id["a2"].before_primary, by_id["a2"].primary, by_id["a2"].labels, by_id["a2"].kind) == (
        "hrm",
        "culture",
        ("culture", "hrm"),
        "revise",
    )
    assert (by_id["a3"].labels, by_id["a3"].before_source, by_id["a3"].kind) == (("other",), "model", "confirm")


def test_a_single_label_needs_no_primary() -> None:
    book = _book()
    for label in ("private_sector", "audit", "primary"):
        _set(book, 1, label, None)
    _set(book, 1, "conduct", "1")
    [change] = read_review_xlsx(_bytes(book), RECORDS).changes
    assert (change.labels, change.primary) == (("conduct",), "conduct")


@pytest.mark.parametrize(
    ("column", "value", "row", "message"),
    [
        ("primary", "bribery", 1, "unknown factor 'bribery' as primary"),
        ("primary", "hrm", 1, "primary 'hrm' is not among the marked labels (audit, private_sector)"),
        ("primary", None, 1, "no primary: pick the main one of the marked labels (audit, private_sector)"),
        ("id", "zz9", 1, "unknown answer id 'zz9'"),
        ("id", "a1", 2, "answer id 'a1' appears twice (first at A2)"),
        ("text", "Plus de formation", 2, "the answer's text was edited"),
        ("hrm", "yes", 1, "column 'hrm': expected 1 or blank, got 'yes'"),
        ("other", 1, 1, "'other' is marked together with a factor"),
    ],
)
def test_each_bad_cell_is_named(column: str, value: object, row: int, message: str) -> None:
    book = _book()
    address = _set(book, row, column, value)
    diff = read_review_xlsx(_bytes(book), RECORDS)
    assert not diff.ok
    assert [str(e).split(": ", 1)[0] for e in diff.errors] == [f"{SHEET}!{address}"]
    assert message in str(diff.errors[0]) and str(diff.errors[0]).split(": ", 1)[1].startswith("E6")


def test_no_label_at_all_is_an_error_and_errors_are_all_reported() -> None:
    book = _book()
    _set(book, 3, "other", None)
    _set(book, 3, "primary", None)
    _set(book, 1, "primary", "bribery")
    diff = read_review_xlsx(_bytes(book), RECORDS)
    assert [str(e) for e in diff.errors] == [
        f"{SHEET}!T2: E621: unknown factor 'bribery' as primary (the codebook sheet lists the ids)",
        f"{SHEET}!S4: E622: no label marked: mark at least one factor column, or 'other'",
    ]


def test_an_invented_label_column_is_named() -> None:
    book = _book()
    book[SHEET].cell(row=1, column=len(COLUMNS) + 1, value="bribery")
    diff = read_review_xlsx(_bytes(book), RECORDS)
    assert [str(e) for e in diff.errors] == [
        f"{SHEET}!V1: E613: unknown column 'bribery' (the label columns are the factor ids and 'other')"
    ]


def test_not_a_review_workbook_is_refused() -> None:
    with pytest.raises(ReviewFileError, match=r"E611: not a readable XLSX"):
        read_review_xlsx(b"id,text\n1,hello\n", RECORDS)
    other = openpyxl.Workbook()
    with pytest.raises(ReviewFileError, match=r"E612: .*missing the sheet 'review'"):
        read_review_xlsx(_bytes(other), RECORDS)
    book = _book()
    book[SHEET].cell(row=1, column=COLUMNS.index("primary") + 1).value = None
    with pytest.raises(ReviewFileError, match=r"E612: .*missing primary"):
        read_review_xlsx(_bytes(book), RECORDS)
