"""People as the reference for the classifier's figures: the same measures computed on human codes.

    python -m analysis.human_reference [--codes FILE] [--data FILE]

``--codes`` (default ``analysis/data/crosslang_coders/heldout4_codes.csv``): one row per version of an answer,
``group,lang,primary,labels`` (labels joined by ``|``, primary first), each language coded by another person who
read only that language's texts (``analysis/data/crosslang_coders/README.md``). ``--data``: the labelled set
they coded (default: the fourth real-style held-out set), whose adjudicated codes are the truth. Prints one JSON
object: macro-F1, micro-F1, primary accuracy and the same primary in all languages, computed by
``analysis.evaluate`` exactly as for the classifier, overall and per language. No model is run: this is no
look at a held-out set, only at what people do with it.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.evaluate import VALID_LABELS, DataError, Example, consistency, load_examples, scores
from analysis.factors import OTHER

DATA_DIR = Path(__file__).parent / "data"
CODES = DATA_DIR / "crosslang_coders" / "heldout4_codes.csv"
CODED_SET = DATA_DIR / "rad_realstyle_heldout4.jsonl"
FIELDS = ("group", "lang", "primary", "labels")


def read_codes(path: Path) -> dict[tuple[str, str], tuple[list[str], int]]:
    """(group, lang) -> (labels, primary first; the line its row starts on); a bad row raises DataError
    naming the file, line and field. A spreadsheet's byte-order mark is read as such."""
    codes: dict[tuple[str, str], tuple[list[str], int]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path}:1: field {missing[0]!r}: missing from the header")
        next_line = reader.line_num + 1
        for row in reader:  # a quoted cell may hold a line break: a row starts after the previous one ended
            line, next_line = next_line, reader.line_num + 1
            where = f"{path}:{line}"
            labels = [x for x in (row["labels"] or "").split("|") if x]
            unknown = [x for x in labels if x not in VALID_LABELS]
            if not labels or unknown or len(set(labels)) < len(labels):
                problem = f"unknown label(s) {unknown}" if unknown else ("empty" if not labels else "a label twice")
                raise DataError(f"{where}: field 'labels': {problem}")
            if OTHER in labels and len(labels) > 1:
                raise DataError(f"{where}: field 'labels': 'other' cannot be combined with factors")
            if row["primary"] != labels[0]:
                raise DataError(f"{where}: field 'primary': {row['primary']!r} is not the first label")
            key = (row["group"] or "", row["lang"] or "")
            if key in codes:
                raise DataError(f"{where}: field 'group': {key[0]} in {key[1]} given twice")
            codes[key] = (labels, line)
    return codes


def compare(examples: Sequence[Example], codes: dict[tuple[str, str], tuple[list[str], int]],
            source: str = "codes") -> dict[str, Any]:  # fmt: skip
    """The classifier's measures, for people's codes against the truth of ``examples``.

    Every version of every answer must be coded, and nothing else: a code for an answer the set does not
    hold is a mistake in the file (a wrong group or language), not a row to pass over."""
    keys = [(e.group or "", e.lang or "") for e in examples]
    missing = [k for k in keys if k not in codes]
    if missing:
        raise DataError(f"{source}: field 'group': {missing[0][0]} in {missing[0][1]} not coded")
    stray = sorted((line, key) for key, (_, line) in codes.items() if key not in set(keys))
    if stray:
        line, (group, lang) = stray[0]
        raise DataError(f"{source}:{line}: field 'group': {group} in {lang} is not in the coded set")
    pred = [codes[k][0] for k in keys]

    def measures(idx: Sequence[int]) -> dict[str, Any]:
        gold = [list(examples[i].labels) for i in idx]
        out = scores(gold, [pred[i] for i in idx], [examples[i].primary for i in idx], [pred[i][0] for i in idx])
        return {k: out[k] for k in ("n", "macro_f1", "micro_f1", "primary_accuracy")}

    result = measures(range(len(examples)))
    result["consistency"] = consistency(examples, pred)
    langs = sorted({e.lang or "" for e in examples})
    result["per_language"] = {lang: measures([i for i, e in enumerate(examples) if e.lang == lang]) for lang in langs}
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.human_reference", description=__doc__.split("\n")[0])
    parser.add_argument("--codes", type=Path, default=CODES, help="people's codes (group,lang,primary,labels)")
    parser.add_argument("--data", type=Path, default=CODED_SET, help="the labelled set they coded (JSONL)")
    args = parser.parse_args(argv)
    from analysis.eval_report import refuse_heldout

    refuse_heldout(parser, args.data)  # people's codes need its truth, read only by make eval until its look
    try:
        result = compare(load_examples(args.data), read_codes(args.codes), str(args.codes))
    except (DataError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
