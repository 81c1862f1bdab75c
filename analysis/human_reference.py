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


def read_codes(path: Path) -> dict[tuple[str, str], list[str]]:
    """(group, lang) -> labels, primary first; a bad row raises DataError naming the file, line and field."""
    codes: dict[tuple[str, str], list[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path}:1: field {missing[0]!r}: missing from the header")
        for line, row in enumerate(reader, start=2):
            labels = [x for x in (row["labels"] or "").split("|") if x]
            unknown = [x for x in labels if x not in VALID_LABELS]
            if not labels or unknown:
                raise DataError(
                    f"{path}:{line}: field 'labels': {'unknown label(s) ' + str(unknown) if unknown else 'empty'}"
                )
            if OTHER in labels and len(labels) > 1:
                raise DataError(f"{path}:{line}: field 'labels': 'other' cannot be combined with factors")
            if row["primary"] != labels[0]:
                raise DataError(f"{path}:{line}: field 'primary': {row['primary']!r} is not the first label")
            key = (row["group"], row["lang"])
            if key in codes:
                raise DataError(f"{path}:{line}: field 'group': {key[0]} in {key[1]} given twice")
            codes[key] = labels
    return codes


def compare(
    examples: Sequence[Example], codes: dict[tuple[str, str], list[str]], source: str = "codes"
) -> dict[str, Any]:
    """The classifier's measures, for people's codes against the truth of ``examples``."""
    missing = [e for e in examples if (e.group, e.lang) not in codes]
    if missing:
        raise DataError(f"{source}: field 'group': {missing[0].group} in {missing[0].lang} not coded")
    pred = [codes[(e.group or "", e.lang or "")] for e in examples]

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
    try:
        result = compare(load_examples(args.data), read_codes(args.codes), str(args.codes))
    except (DataError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
