"""``python -m analysis classify --in answers.csv --text-column answer --out coded.csv`` (CSV or JSONL).

CSV as spreadsheets write it (``,`` ``;`` or tab separated, quoted cells over several lines);
output CSV opens in Excel (UTF-8 with BOM) and never runs a respondent's ``=formula``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from analysis.factors import FACTOR_IDS
from analysis.files import output_problem, private_open
from analysis.jsonl import InputFileError, iter_jsonl, read_text
from analysis.tabular import MalformedCSV, csv_records, neutralise_formula

BATCH = 512


class InputError(InputFileError):
    pass


def _fmt(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise InputError(f"{path}: unknown format {suffix!r} (use .csv or .jsonl)")


def _csv_rows(raw: str, path: Path, text_column: str) -> list[dict[str, Any]]:
    header: list[str] | None = None
    rows: list[dict[str, Any]] = []
    try:
        for line, cells in csv_records(raw):
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                if text_column not in header:
                    raise InputError(f"{path}:{line}: no column {text_column!r} (columns: {', '.join(header)})")
            elif len(cells) > len(header):
                raise InputError(f"{path}:{line}: {len(cells)} cells but the header names {len(header)}")
            else:
                rows.append(dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True)))
    except MalformedCSV as exc:  # a quote left open swallows the rest of the file: say where it began
        raise InputError(f"{path}:{exc.line}: malformed CSV ({exc.problem}; is a quote left open?)") from exc
    return rows


def read_rows(path: Path, text_column: str, lang_column: str | None = None) -> list[dict[str, Any]]:
    """The input rows; errors name the file, the line and the field."""
    if _fmt(path) == "csv":
        rows = _csv_rows(read_text(path), path, text_column)
        if lang_column and rows and lang_column not in rows[0]:
            raise InputError(f"{path}:1: no column {lang_column!r} (columns: {', '.join(rows[0])})")
    else:
        rows = []
        for number, obj in iter_jsonl(path):
            if text_column not in obj:  # a misspelt --text-column, not a blank answer
                raise InputError(f"{path}:{number}: field {text_column!r}: missing (null marks a blank answer)")
            value = obj[text_column]
            if value is not None and not isinstance(value, str):
                raise InputError(f"{path}:{number}: field {text_column!r}: expected text, got {type(value).__name__}")
            if lang_column and obj.get(lang_column) is not None and not isinstance(obj[lang_column], str):
                raise InputError(f'{path}:{number}: field {lang_column!r}: expected a language code such as "fr"')
            rows.append(obj)
    if not rows:
        raise InputError(f"{path}: no rows")
    return rows


def classify_rows(rows: list[dict[str, Any]], text_column: str, progress: bool = True,
                  lang_column: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Each row with ``lang``, ``labels``, ``primary`` and ``scores``; a blank answer is left uncoded.

    With ``lang_column``, the languages it gives are used ("FR", "fr-FR" read as fr); a
    blank or unsupported one is detected from the text.
    """
    from analysis import load_default_classifier
    from analysis.language import UNDETERMINED, detect_language, language_code

    model = load_default_classifier()
    out: list[dict[str, Any]] = []
    with tqdm(total=len(rows), desc="classifying", unit="answer", disable=not progress) as bar:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            texts = [r.get(text_column) or "" for r in chunk]
            given = [language_code(r.get(lang_column)) if lang_column else UNDETERMINED for r in chunk]
            detected = iter(detect_language([t for t, g in zip(texts, given, strict=True) if g == UNDETERMINED]))
            langs = [g if g != UNDETERMINED else next(detected) for g in given]
            answered = [i for i, t in enumerate(texts) if t.strip()]
            coded: dict[int, Any] = {}
            if answered:  # a batch of blank answers only (a sparse open question) has nothing to code
                labels, proba = model.predict_labels_and_proba([texts[i] for i in answered],
                                                               [langs[i] for i in answered])  # fmt: skip
                coded = dict(zip(answered, zip(labels, proba, strict=True), strict=True))
            for i, (row, lang) in enumerate(zip(chunk, langs, strict=True)):
                if i not in coded:  # nothing to code: not "other", which would inflate it
                    out.append({**row, "lang": UNDETERMINED, "labels": [], "primary": "", "scores": {}})
                    continue
                ls, p = coded[i]
                scores = {f: round(float(v), 3) for f, v in zip(FACTOR_IDS, p, strict=True)}
                out.append({**row, "lang": lang, "labels": ls, "primary": ls[0], "scores": scores})
            bar.update(len(chunk))
    return out


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """JSONL as is; CSV in UTF-8 with a byte-order mark (Excel reads accents right) and every
    text cell that a spreadsheet would run as a formula prefixed with ``'`` (CSV injection)."""
    if _fmt(path) == "jsonl":
        with private_open(path, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with private_open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writerow({f: neutralise_formula(f) for f in fields})
        for row in rows:
            flat = {k: neutralise_formula(v) for k, v in row.items()}
            flat["labels"] = ";".join(row["labels"])
            flat["scores"] = json.dumps(row["scores"]) if row["scores"] else ""
            writer.writerow(flat)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("classify", help="code free-text answers into RAD factors",
                         description="Code free-text answers into RAD factors. The classifier reads each answer's "
                         "multilingual-e5-small sentence vector (and its points'): answers not yet in the "
                         "embeddings cache are embedded here, in this process (some tens a second on a small "
                         "server, counted in the progress bar).")  # fmt: skip
    cmd.add_argument("--in", dest="inp", required=True, type=Path, help="CSV or JSONL file of answers")
    cmd.add_argument("--text-column", default="text", help="column/field holding the answer (default: text)")
    cmd.add_argument("--out", required=True, type=Path, help="output CSV or JSONL (adds lang, labels, primary, scores)")
    cmd.add_argument("--lang-column", help="column/field giving each answer's language (blank: detected)")
    cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    vectors = sub.add_parser("embeddings", help="the shipped sentence vectors of the training texts")
    vectors.add_argument("action", choices=["pack"], help="pack: embed the training texts with e5 and write the pack")
    vectors.add_argument("--out", type=Path, default=None, help="default: analysis/data/training_vectors.npz")
    args = parser.parse_args(argv)
    if args.command == "embeddings":
        from analysis.vector_pack import PACK_PATH, pack_command

        return pack_command(args.out or PACK_PATH)
    try:
        _fmt(args.out)
        problem = output_problem(args.out)
        if problem:  # say so now, not after coding every answer
            raise InputError(problem)
        rows = read_rows(args.inp, args.text_column, args.lang_column)
        coded = classify_rows(rows, args.text_column, progress=not args.quiet, lang_column=args.lang_column)
        write_rows(args.out, coded)
    except InputFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {args.out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return 2
    blank = sum(1 for row in coded if not row["labels"])
    note = f" ({blank} blank, left uncoded)" if blank else ""
    print(f"{len(rows) - blank} answers coded{note} -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
