"""Reliability diagram of the calibrated confidence: does "0.8 sure" mean right 8 times in 10?

    python -m analysis.reliability [--data SET.jsonl ...] [--out reliability.png] [--folds 5]

The confidence is :func:`analysis.adapt.confidence`: the shipped model's margins mapped by a
:class:`~analysis.adapt.ConfidenceCalibrator` to the chance that an answer's whole coding (label
set and primary) needs no correction. Judged honestly, each answer's confidence here comes from
a calibrator that never saw it: the development sets (default: all those the shipped calibrator
is fitted on) are pooled and cut into folds that keep the translations of one answer together;
each fold is calibrated on the others. Draws the diagram (confidence against the share coded
right, per bin, with the answers per bin) to ``--out`` and prints one JSON object last:
Brier score, expected calibration error, the bins. Never on the held-out set.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from analysis.adapt import CALIBRATION_SETS, ConfidenceCalibrator, correct_codings, margins
from analysis.classify import FactorClassifier
from analysis.eval_report import refuse_heldout
from analysis.evaluate import Example, load_examples
from analysis.folds import folds_of

#: Ten equal bins: the diagram's resolution (a few hundred answers fill most of them).
EDGES = tuple(np.round(np.linspace(0.0, 1.0, 11), 1))


def cross_fitted(model: FactorClassifier, examples: Sequence[Example], folds: int = 5,
                 random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Each answer's confidence from a calibrator fitted on the other folds, and whether its coding was right."""
    labels, m = margins(model, [e.text for e in examples], [e.lang for e in examples])
    right = np.array(correct_codings(labels, [e.labels for e in examples], [e.primary for e in examples]))
    conf = np.zeros(len(examples))
    for train, test in folds_of(len(examples), folds, [e.group for e in examples], random_state):
        conf[test] = ConfidenceCalibrator().fit(m[train], right[train]).predict(m[test])
    return conf, right


def bin_table(conf: np.ndarray, right: np.ndarray, edges: Sequence[float] = EDGES) -> dict[str, Any]:
    """Per confidence bin: answers, mean confidence, share coded right; Brier score and expected calibration error."""
    conf, right = np.asarray(conf, dtype=float), np.asarray(right, dtype=bool)
    rows, gap = [], 0.0
    for low, high in pairwise(edges):
        inside = (conf >= low) & ((conf < high) if high < 1 else (conf <= high))
        if inside.any():
            mean, share = float(conf[inside].mean()), float(right[inside].mean())
            gap += inside.sum() * abs(mean - share)
            rows.append({"bin": f"{low:.1f}-{high:.1f}", "n": int(inside.sum()), "mean_confidence": round(mean, 3),
                         "coded_right": round(share, 3)})  # fmt: skip
    n = max(1, len(conf))
    return {"n": len(conf), "coded_right": round(float(right.mean()), 3) if len(conf) else 0.0, "bins": rows,
            "brier": round(float(np.mean((conf - right) ** 2)), 4) if len(conf) else 0.0,
            "ece": round(gap / n, 4)}  # fmt: skip


def draw(table: dict[str, Any], path: Path, title: str) -> None:
    """The diagram: bars of the share coded right per bin against the diagonal of perfect calibration."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and CI
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(5, 6), height_ratios=(3, 1), sharex=True)
    x = [row["mean_confidence"] for row in table["bins"]]
    top.plot([0, 1], [0, 1], linestyle="--", color="#888888", label="perfectly calibrated")
    top.plot(x, [row["coded_right"] for row in table["bins"]], marker="o", color="#0072B2",
             label=f"model (Brier {table['brier']}, ECE {table['ece']})")  # fmt: skip
    top.set_ylabel("share of answers coded right")
    top.set_title(title, fontsize=9)
    top.legend(loc="lower right", fontsize=8)
    bottom.bar(x, [row["n"] for row in table["bins"]], width=0.06, color="#999999")
    bottom.set_xlabel("calibrated confidence")
    bottom.set_ylabel("answers")
    bottom.set_xlim(0, 1)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv: Sequence[str] | None = None, model: FactorClassifier | None = None) -> int:
    from analysis.default_model import DATA_DIR

    parser = argparse.ArgumentParser(prog="python -m analysis.reliability", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, nargs="+", default=[DATA_DIR / name for name in CALIBRATION_SETS],
                        help="labelled JSONL development sets, pooled (default: the calibrator's sets)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=Path("reliability.png"), help="PNG file to write")
    parser.add_argument("--folds", type=int, default=5, help="cross-fitting folds (default 5)")
    args = parser.parse_args(argv)
    refuse_heldout(parser, *args.data)
    if args.folds < 2:
        parser.error("--folds: at least 2")
    if not args.out.parent.is_dir():
        parser.error(f"--out: folder {args.out.parent} does not exist")
    examples = [e for path in args.data for e in load_examples(path)]
    if model is None:
        from analysis.default_model import load_default_classifier

        model = load_default_classifier()
    conf, right = cross_fitted(model, examples, args.folds)
    table = bin_table(conf, right)
    names = ", ".join(path.name for path in args.data)
    draw(table, args.out, f"{names}\n{len(examples)} answers, {args.folds}-fold cross-fitted calibration")
    print(json.dumps({"data": [path.name for path in args.data], "folds": args.folds, "out": str(args.out), **table}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
