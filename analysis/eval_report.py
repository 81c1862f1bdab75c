"""``make eval``: cross-validation, leave-one-language-out and the blind set, honestly.

    python -m analysis.eval_report [--write-readme README.md]

The blind set (``data/rad_blind.jsonl``) is written separately from the
training corpus and is never used for training or for tuning thresholds.
Prints one JSON object (last line); ``--write-readme`` replaces the table
between the ``<!-- eval:start -->`` and ``<!-- eval:end -->`` markers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from analysis.baseline import KeywordBaseline
from analysis.classify import folds_of
from analysis.default_model import CORPUS_PATH, DATA_DIR, fit_examples
from analysis.evaluate import Example, consistency, load_examples, scores

BLIND_PATH = DATA_DIR / "rad_blind.jsonl"
HEADLINE = ("macro_f1", "micro_f1", "primary_accuracy")


def _score(model: Any, test: Sequence[Example]) -> tuple[list[list[str]], dict[str, Any]]:
    texts, langs = [e.text for e in test], [e.lang for e in test]
    pred = model.predict_labels(texts, langs)
    return pred, scores([list(e.labels) for e in test], pred, [e.primary for e in test], [p[0] for p in pred])


def _pooled(parts: list[tuple[Sequence[Example], list[list[str]]]]) -> dict[str, Any]:
    gold = [list(e.labels) for test, _ in parts for e in test]
    prim = [e.primary for test, _ in parts for e in test]
    pred = [p for _, preds in parts for p in preds]
    return scores(gold, pred, prim, [p[0] for p in pred])


def cross_validation(corpus: list[Example], folds: int = 5) -> dict[str, Any]:
    parts = []
    # Translations of one answer stay in one fold (see analysis.classify.folds_of).
    for train_idx, test_idx in folds_of(len(corpus), folds, [e.group for e in corpus], 0):
        test = [corpus[i] for i in test_idx]
        parts.append((test, _score(fit_examples([corpus[i] for i in train_idx]), test)[0]))
    return _pooled(parts)


def leave_one_language_out(corpus: list[Example]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for lang in ("en", "fr", "es", "pt"):
        test = [e for e in corpus if e.lang == lang]
        # Not trained on another language's version of a test answer: that would be no test of transfer.
        held = {e.group for e in test if e.group is not None}
        result = _score(fit_examples([e for e in corpus if e.lang != lang and e.group not in held]), test)[1]
        out[lang] = {k: result[k] for k in ("n", *HEADLINE)}
    out["mean_macro_f1"] = round(float(np.mean([out[lang]["macro_f1"] for lang in ("en", "fr", "es", "pt")])), 3)
    return out


def blind(corpus: list[Example], blind_set: list[Example]) -> dict[str, Any]:
    model = fit_examples(corpus)
    pred, result = _score(model, blind_set)
    base = KeywordBaseline().predict_labels([e.text for e in blind_set], [e.lang for e in blind_set])
    result["baseline"] = scores([list(e.labels) for e in blind_set], base, [e.primary for e in blind_set],
                                [b[0] for b in base])  # fmt: skip
    result["gain_ci"] = paired_gain_ci([list(e.labels) for e in blind_set], [e.primary for e in blind_set], pred, base)
    c = consistency(blind_set, pred) or {"groups": 0, "same_primary": 0, "same_labels": 0, "rate": 0.0,
                                         "label_set_rate": 0.0}  # fmt: skip
    # Group ids are not reported: they would point at blind answers.
    result["consistency"] = {"groups": c["groups"], "same_primary_in_all_languages": c["same_primary"],
                             "same_labels_in_all_languages": c["same_labels"], "rate": c["rate"],
                             "label_set_rate": c["label_set_rate"]}  # fmt: skip
    return result


def paired_gain_ci(gold: list[list[str]], primary: list[str], pred: list[list[str]], base: list[list[str]],
                   n_boot: int = 1000, seed: int = 0) -> dict[str, list[float]]:  # fmt: skip
    """95 % paired bootstrap interval of (classifier − baseline) for each headline figure.

    "Clearly above the baseline" is then a statement with an error bar: the same answers are
    resampled for both systems, so the interval reflects the blind set's size, not luck.
    """
    rng = np.random.default_rng(seed)
    n = len(gold)
    gains: dict[str, list[float]] = {k: [] for k in HEADLINE}
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        g, prim = [gold[i] for i in idx], [primary[i] for i in idx]
        p, b = [pred[i] for i in idx], [base[i] for i in idx]
        ours, theirs = scores(g, p, prim, [x[0] for x in p]), scores(g, b, prim, [x[0] for x in b])
        for k in HEADLINE:
            gains[k].append(ours[k] - theirs[k])
    return {k: [round(float(np.percentile(v, 2.5)), 3), round(float(np.percentile(v, 97.5)), 3)]
            for k, v in gains.items()}  # fmt: skip


def _row(name: str, r: dict[str, Any], bold: bool = False) -> str:
    cells = [str(r[k]) for k in HEADLINE]
    if bold:
        cells = [f"**{c}**" for c in cells]
    return f"| {name} | {r['n']} | " + " | ".join(cells) + " |"


def markdown(report: dict[str, Any]) -> str:
    b, cv, lolo = report["blind"], report["cv"], report["lolo"]
    rows = [
        "| evaluation | n | macro-F1 | micro-F1 | primary accuracy |",
        "|---|---|---|---|---|",
        _row("**blind set**, classifier", b, bold=True),
        _row("blind set, keyword-only baseline (codebook)", b["baseline"] | {"n": b["n"]}),
        _row("corpus, 5-fold cross-validation", cv),
    ]
    rows += [_row(f"corpus, leave-one-language-out: test on {lang}", lolo[lang]) for lang in ("en", "fr", "es", "pt")]
    c = b["consistency"]
    gain = "; ".join(f"{label} {b[k] - b['baseline'][k]:+.3f} [{lo:+.3f}, {hi:+.3f}]"
                     for k, label in zip(HEADLINE, ("macro-F1", "micro-F1", "primary accuracy"), strict=True)
                     for lo, hi in [b["gain_ci"][k]])  # fmt: skip
    rows += [
        "",
        f"Gain of the classifier over the baseline on the blind set, with 95 % paired bootstrap intervals: {gain}.",
        "",
        f"Cross-language consistency on the blind set: {c['same_primary_in_all_languages']} of {c['groups']} answers "
        f"given in all four languages get the same primary factor in each ({c['rate']:.0%}); "
        f"{c['same_labels_in_all_languages']} get the same set of labels ({c['label_set_rate']:.0%}).",
        f"Measured {report['date']} by `make eval`.",
    ]
    return "\n".join(rows)


def write_readme(path: Path, table: str) -> None:
    text = path.read_text(encoding="utf-8")
    start, end = "<!-- eval:start -->", "<!-- eval:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"{path}: markers {start} / {end} not found")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.eval_report")
    parser.add_argument("--write-readme", type=Path)
    args = parser.parse_args(argv)
    corpus, blind_set = load_examples(CORPUS_PATH), load_examples(BLIND_PATH)
    report = {"date": datetime.now(UTC).date().isoformat(), "blind": blind(corpus, blind_set),
              "cv": cross_validation(corpus), "lolo": leave_one_language_out(corpus)}  # fmt: skip
    table = markdown(report)
    print(table, file=sys.stderr)
    if args.write_readme:
        write_readme(args.write_readme, table)
    summary = {"blind_" + k: report["blind"][k] for k in HEADLINE}
    summary |= {"baseline_" + k: report["blind"]["baseline"][k] for k in HEADLINE}
    summary |= {"cv_macro_f1": report["cv"]["macro_f1"], "lolo_mean_macro_f1": report["lolo"]["mean_macro_f1"],
                "consistency_rate": report["blind"]["consistency"]["rate"]}  # fmt: skip
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
