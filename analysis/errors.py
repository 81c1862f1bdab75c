"""Every error message of the library, once, with a unique code (as spaCy's ``errors.py``).

A code is never reused for another meaning: it is what users search for and what tests
match. Ranges: E1xx language and text processing, E2xx codebook, E3xx classifier,
E4xx themes, E5xx reports, E6xx review (agreement, review spreadsheets, learning from
decisions); E7xx is the web app's write path (``cips.submissions.errors``, same mechanism).
``Errors.E101.format(...)`` gives ``"E101: ..."``.
"""

from __future__ import annotations


class WithCodes(type):
    """Metaclass of an ``Errors`` class: reading ``Errors.E101`` gives the message with its code."""

    def __getattribute__(cls, code: str) -> str:
        message = super().__getattribute__(code)
        return f"{code}: {message}" if code.startswith("E") and code[1:].isdigit() else message


class Errors(metaclass=WithCodes):
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
    E308 = "{n_questions} questions but {n_texts} texts"
    E309 = "primary_weight must be 0 (off) or more, got {weight!r}"
    E310 = "primaries must be label indices below n_labels={n_labels}, got {label}"
    E311 = "the direct primary needs answers of at least two primaries, got {n_primaries}"
    E312 = "the direct primary was fitted with sentence vectors: pass the answers' vectors"

    E401 = "need at least 2 answers to find themes, got {n_texts}"

    E501 = "no report text for language {lang!r} (available: {available})"
    E502 = (
        "PDF output needs WeasyPrint and Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0); "
        "HTML output works without them. ({reason})"
    )

    E601 = "the two codings cover different numbers of answers: {n_a} and {n_b}"
    E602 = "unknown label {label!r} (expected a factor id or 'other')"
    E603 = "expected a list of labels per answer, got the text {value!r}"

    E611 = "not a readable XLSX workbook ({reason})"
    E612 = "not a review workbook: missing {missing} in sheet {sheet!r}"
    E613 = "unknown column {name!r} (the label columns are the factor ids and 'other')"
    E614 = "column {name!r} appears twice"
    E615 = "unknown answer id {id!r} (not in this review queue)"
    E616 = "the row has no answer id"
    E617 = "answer id {id!r} appears twice (first at {first})"
    E618 = "the answer's text was edited: the file carries codes only; restore the text or re-export"
    E619 = "column {column!r}: expected 1 or blank, got {value!r}"
    E620 = "'other' is marked together with a factor: 'other' means no factor applies"
    E621 = "unknown factor {label!r} as primary (the {sheet} sheet lists the ids)"
    E622 = "no label marked: mark at least one factor column, or 'other'"
    E623 = "no primary: pick the main one of the marked labels ({labels})"
    E624 = "primary {label!r} is not among the marked labels ({labels})"


def codes() -> list[str]:
    """Every code defined above (a test checks they are unique and all used)."""
    return [name for name in vars(Errors) if name.startswith("E") and name[1:].isdigit()]
