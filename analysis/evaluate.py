"""Evaluate the classifier (and the codebook's keyword baseline) on a labelled JSONL file.

    python -m analysis.evaluate --data answers.jsonl

Each line: ``{"text": ..., "labels": [...], "primary": ..., "lang": ..., "group": ...}``
(``primary``, ``lang`` and ``group`` optional). Prints one JSON object; lines sharing a
``group`` (the same answer in several languages) also give a cross-language consistency
rate, e.g. on ``analysis/data/rad_parallel_dev.jsonl``. A bad file gives a
message naming the line and field, and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.factors import FACTOR_IDS, OTHER
from analysis.jsonl import InputFileError, iter_jsonl
from analysis.language import UNDETERMINED, language_code

VALID_LABELS = {*FACTOR_IDS, OTHER}


class DataError(InputFileError):
    """A labelled file that cannot be used; the message names the file, line and field."""


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]
    primary: str
    lang: str | None = None
    group: str | None = None
    question: str | None = None  # the question answered, in the real-style sets


def load_examples(path: Path | str) -> list[Example]:
    path = Path(path)
    examples = []
    for number, obj in iter_jsonl(path):
        answer, labels = obj.get("text"), obj.get("labels")
        if answer is not None and not isinstance(answer, str):
            raise DataError(f"{path}:{number}: field 'text': expected text, got {type(answer).__name__}")
        if not answer or not answer.strip():
            raise DataError(f"{path}:{number}: field 'text': missing or empty")
        if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
            raise DataError(f"{path}:{number}: field 'labels': expected a non-empty list of label ids")
        unknown = [x for x in labels if x not in VALID_LABELS]
        if unknown:
            raise DataError(f"{path}:{number}: field 'labels': unknown label(s) {unknown}")
        if OTHER in labels and len(labels) > 1:
            raise DataError(f"{path}:{number}: field 'labels': 'other' cannot be combined with factors")
        primary = obj.get("primary", labels[0])
        if primary is None:
            primary = labels[0]
        if primary not in labels:
            raise DataError(f"{path}:{number}: field 'primary': {primary!r} is not among the labels")
        lang = obj.get("lang")
        if lang is not None and not isinstance(lang, str):
            raise DataError(f"{path}:{number}: field 'lang': expected a language code such as \"fr\"")
        # "FR", "fr-FR" → "fr"; a language the model does not read ("de") is detected instead.
        code = language_code(lang) if lang else None
        examples.append(Example(answer, tuple(labels), primary, code if code != UNDETERMINED else None,
                                obj.get("group"), obj.get("question")))  # fmt: skip
    if not examples:
        raise DataError(f"{path}: no examples")
    return examples


def scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], gold_primary: Sequence[str],
           pred_primary: Sequence[str]) -> dict[str, Any]:  # fmt: skip
    """Macro/micro F1 over the labels present in gold or predictions, with ``other`` as a label."""
    present = sorted({x for ls in gold for x in ls} | {x for ls in pred for x in ls},
                     key=lambda x: (x == OTHER, x))  # fmt: skip
    per_label: dict[str, dict[str, float]] = {}
    tp_all = fp_all = fn_all = 0
    for label in present:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if label in g and label in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if label not in g and label in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if label in g and label not in p)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                            "support": tp + fn}  # fmt: skip
    micro = 2 * tp_all / (2 * tp_all + fp_all + fn_all) if tp_all else 0.0
    macro = sum(v["f1"] for v in per_label.values()) / len(per_label) if per_label else 0.0
    accuracy = sum(1 for g, p in zip(gold_primary, pred_primary, strict=True) if g == p) / max(1, len(gold))
    return {"n": len(gold), "macro_f1": round(macro, 3), "micro_f1": round(micro, 3),
            "primary_accuracy": round(accuracy, 3), "per_factor": per_label}  # fmt: skip


def consistency(examples: Sequence[Example], pred: Sequence[Sequence[str]]) -> dict[str, Any] | None:
    """Cross-language consistency over the examples that carry a ``group`` (one answer, several languages).

    ``same_primary``: groups whose answers all get the same primary factor (the target);
    ``same_labels``: groups whose answers all get the same label set (stricter). ``None``
    when the file has no groups.
    """
    groups: dict[str, list[Sequence[str]]] = {}
    for example, labels in zip(examples, pred, strict=True):
        if example.group:
            groups.setdefault(str(example.group), []).append(labels)
    if not groups:
        return None
    primary = sum(1 for preds in groups.values() if len({p[0] for p in preds}) == 1)
    labels = sum(1 for preds in groups.values() if len({frozenset(p) for p in preds}) == 1)
    n = len(groups)
    return {"groups": n, "same_primary": primary, "same_labels": labels, "rate": round(primary / n, 3),
            "label_set_rate": round(labels / n, 3),
            "inconsistent": sorted(g for g, preds in groups.items() if len({p[0] for p in preds}) > 1)}  # fmt: skip


def evaluate(examples: Sequence[Example], model: Any = None, show_progress: bool = False) -> dict[str, Any]:
    """Scores of ``model`` (default: the shipped classifier) and of the keyword baseline."""
    from analysis import load_default_classifier
    from analysis.baseline import KeywordBaseline
    from analysis.language import detect_language

    model = model if model is not None else load_default_classifier()
    texts = [e.text for e in examples]
    # Detect only where the file gives no language.
    unknown = [i for i, e in enumerate(examples) if not e.lang]
    detected = dict(zip(unknown, detect_language([texts[i] for i in unknown]), strict=True))
    langs = [e.lang or detected[i] for i, e in enumerate(examples)]
    gold = [list(e.labels) for e in examples]
    gold_primary = [e.primary for e in examples]
    pred = model.predict_labels(texts, langs)
    result = scores(gold, pred, gold_primary, [p[0] for p in pred])
    base = KeywordBaseline().predict_labels(texts, langs)
    result["baseline"] = scores(gold, base, gold_primary, [p[0] for p in base])
    result["gain"] = {
        k: round(result[k] - result["baseline"][k], 3) for k in ("macro_f1", "micro_f1", "primary_accuracy")
    }
    groups = consistency(examples, pred)
    if groups is not None:
        result["consistency"] = groups
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="JSONL file with text and labels per line")
    args = parser.parse_args(argv)
    from analysis.eval_report import refuse_heldout  # eval_report builds on this module: imported when run

    refuse_heldout(parser, args.data)
    try:
        examples = load_examples(args.data)
    except InputFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(evaluate(examples), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
