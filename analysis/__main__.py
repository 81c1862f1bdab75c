"""``python -m analysis classify --in answers.csv --text-column answer --out coded.csv`` (CSV or JSONL)."""

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
from analysis.jsonl import InputFileError, iter_jsonl, read_text

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


def read_rows(path: Path, text_column: str) -> list[dict[str, Any]]:
    raw = read_text(path)
    rows: list[dict[str, Any]] = []
    if _fmt(path) == "csv":
        reader = csv.DictReader(raw.splitlines())
        if reader.fieldnames is None or text_column not in reader.fieldnames:
            raise InputError(f"{path}:1: no column {text_column!r} (columns: {', '.join(reader.fieldnames or [])})")
        rows = list(reader)
    else:
        for number, obj in iter_jsonl(path):
            if not isinstance(obj.get(text_column), str):
                raise InputError(f"{path}:{number}: field {text_column!r}: missing or not text")
            rows.append(obj)
    if not rows:
        raise InputError(f"{path}: no rows")
    return rows


def classify_rows(rows: list[dict[str, Any]], text_column: str, progress: bool = True) -> list[dict[str, Any]]:
    from analysis import load_default_classifier
    from analysis.language import detect_language

    model = load_default_classifier()
    out: list[dict[str, Any]] = []
    with tqdm(total=len(rows), desc="classifying", unit="answer", disable=not progress) as bar:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            texts = [r.get(text_column) or "" for r in chunk]
            langs = detect_language(texts)
            labels, proba = model.predict_labels_and_proba(texts, langs)
            for row, lang, ls, p in zip(chunk, langs, labels, proba, strict=True):
                scores = {f: round(float(v), 3) for f, v in zip(FACTOR_IDS, p, strict=True)}
                out.append({**row, "lang": lang, "labels": ls, "primary": ls[0], "scores": scores})
            bar.update(len(chunk))
    return out


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    if _fmt(path) == "jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            flat = dict(row)
            flat["labels"] = ";".join(row["labels"])
            flat["scores"] = json.dumps(row["scores"])
            writer.writerow(flat)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("classify", help="code free-text answers into RAD factors")
    cmd.add_argument("--in", dest="inp", required=True, type=Path, help="CSV or JSONL file of answers")
    cmd.add_argument("--text-column", default="text", help="column/field holding the answer (default: text)")
    cmd.add_argument("--out", required=True, type=Path, help="output CSV or JSONL (adds lang, labels, primary, scores)")
    cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        _fmt(args.out)
        rows = read_rows(args.inp, args.text_column)
    except InputFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_rows(args.out, classify_rows(rows, args.text_column, progress=not args.quiet))
    print(f"{len(rows)} answers coded -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
