"""Does the classifier learn from reviewed answers? The learning curve, measured honestly.

    python -m analysis.learning_curve [--orders 5] [--weight 3]

Simulates review campaigns on the second development set (``rad_parallel_dev2.jsonl``, which
nothing was tuned on): per random order, 30 of its 80 meanings (all their translations) are
set aside untouched; the 200 other answers are "reviewed" in that order, either at random or
least sure first (as the review queue presents them), and after 0, 25, 50, 100 and 200 of them
an :class:`~analysis.adapt.AdaptedClassifier` is scored on the untouched answers. The weight
of reviewed answers and the confidence calibrator were chosen on the retired blind set
(``rad_dev_retired_blind.jsonl``), never on the second development set.

Prints the learning curve (mean and standard deviation over orders), a reliability table of
the calibrated confidence on the second development set, and one JSON object as last line.
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

from analysis.adapt import (
    AdaptedClassifier,
    ConfidenceCalibrator,
    correct_codings,
    fit_calibrator,
    least_sure_first,
    margins,
)
from analysis.classify import FactorClassifier
from analysis.eval_report import refuse_heldout
from analysis.evaluate import Example, load_examples, scores

DATA = Path(__file__).resolve().parent / "data"
EVAL_SET = DATA / "rad_parallel_dev2.jsonl"
TUNE_SET = DATA / "rad_dev_retired_blind.jsonl"
SIZES = (0, 25, 50, 100, 200)
TEST_GROUPS = 30
#: Reviewed answers count this many times a corpus answer in the refit (chosen on TUNE_SET).
WEIGHT = 10.0
STRATEGIES = ("random", "least_sure_first")
METRICS = ("macro_f1", "micro_f1", "primary_accuracy")
BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 1.0)


def reliability(model: FactorClassifier, calibrator: ConfidenceCalibrator,
                examples: Sequence[Example]) -> dict[str, Any]:  # fmt: skip
    """Per confidence bin: answers, mean confidence, share coded right; and what least-sure-first finds."""
    labels, m = margins(model, [e.text for e in examples], [e.lang for e in examples])
    right = np.array(correct_codings(labels, [e.labels for e in examples], [e.primary for e in examples]))
    conf = calibrator.predict(m)
    rows = []
    for low, high in pairwise(BINS):
        inside = (conf >= low) & ((conf < high) if high < 1 else (conf <= high))
        if inside.any():
            rows.append({"bin": f"{low:.1f}-{high:.1f}", "n": int(inside.sum()),
                         "mean_confidence": round(float(conf[inside].mean()), 3),
                         "coded_right": round(float(right[inside].mean()), 3)})  # fmt: skip
    order = least_sure_first(list(conf))
    quarter = order[: len(order) // 4]
    wrong = int((~right).sum())
    return {"n": len(examples), "coded_right": round(float(right.mean()), 3), "bins": rows,
            "brier": round(float(np.mean((conf - right) ** 2)), 4),
            "wrong_in_first_quarter": round(float((~right[quarter]).sum() / max(1, wrong)), 3)}  # fmt: skip


def curve(base: FactorClassifier, examples: Sequence[Example], calibrator: ConfidenceCalibrator,
          orders: int = 5, sizes: Sequence[int] = SIZES, weight: float = WEIGHT, test_groups: int = TEST_GROUPS,
          background: Any = None, strategies: Sequence[str] = STRATEGIES) -> dict[str, Any]:  # fmt: skip
    """Scores on the untouched answers after each number of reviewed answers, per order and strategy.

    ``sizes`` starts with 0 (the base model); ``background`` is the base model's training set
    (the shipped corpus when None), see :class:`~analysis.adapt.AdaptedClassifier`.
    """
    groups = sorted({e.group or f"row{i}" for i, e in enumerate(examples)})
    runs: dict[str, dict[int, list[dict[str, float]]]] = {strategy: {} for strategy in strategies}
    base_scores: list[dict[str, float]] = []
    for seed in range(orders):
        rng = np.random.default_rng(seed)
        held = set(rng.permutation(groups)[:test_groups].tolist())
        test = [e for i, e in enumerate(examples) if (e.group or f"row{i}") in held]
        pool = [e for i, e in enumerate(examples) if (e.group or f"row{i}") not in held]
        pool = [pool[i] for i in rng.permutation(len(pool))]
        _, m = margins(base, [e.text for e in pool], [e.lang for e in pool])
        least_sure = [pool[i] for i in least_sure_first(list(calibrator.predict(m)))]
        by_strategy = {"random": pool, "least_sure_first": least_sure}
        for k in sizes:
            for strategy in strategies:
                if k == 0 and base_scores and len(base_scores) > seed:  # nothing reviewed: the same model
                    runs[strategy].setdefault(0, []).append(base_scores[seed])
                    continue
                reviewed = by_strategy[strategy][:k]
                model = AdaptedClassifier(base, weight=weight, background=background).fit(
                    [e.text for e in reviewed], [list(e.labels) for e in reviewed],
                    langs=[e.lang for e in reviewed], primary=[e.primary for e in reviewed])  # fmt: skip
                pred = model.predict_labels([e.text for e in test], [e.lang for e in test])
                result = scores([e.labels for e in test], pred, [e.primary for e in test], [p[0] for p in pred])
                runs[strategy].setdefault(k, []).append({m: result[m] for m in METRICS})
                if k == 0:
                    base_scores.append(runs[strategy][0][-1])
    table = {}
    for strategy, by_k in runs.items():
        table[strategy] = {}
        for k, results in sorted(by_k.items()):
            table[strategy][k] = {m: {"mean": round(float(np.mean([r[m] for r in results])), 3),
                                      "sd": round(float(np.std([r[m] for r in results], ddof=1)), 3)
                                      if len(results) > 1 else 0.0} for m in METRICS}  # fmt: skip
    return {"orders": orders, "weight": weight, "test_answers": len(test), "table": table}


def render(result: dict[str, Any], reliability_table: dict[str, Any]) -> str:
    lines = ["| order of review | reviewed | macro-F1 | micro-F1 | primary accuracy |", "|---|---|---|---|---|"]
    for strategy, by_k in result["table"].items():
        for k, row in by_k.items():
            cells = [f"{row[m]['mean']:.3f} ± {row[m]['sd']:.3f}" for m in METRICS]
            lines.append(f"| {strategy.replace('_', ' ')} | {k} | " + " | ".join(cells) + " |")
    lines += ["", "| confidence | answers | mean confidence | coded right |", "|---|---|---|---|"]
    for row in reliability_table["bins"]:
        lines.append(f"| {row['bin']} | {row['n']} | {row['mean_confidence']:.3f} | {row['coded_right']:.3f} |")
    share = reliability_table["wrong_in_first_quarter"]
    lines.append(f"least sure first: the first quarter of the queue holds {share:.0%} of the wrong codings"
                 f" (random order: 25 %); Brier score {reliability_table['brier']}")  # fmt: skip
    return "\n".join(lines)


def main(
    argv: Sequence[str] | None = None,
    base: FactorClassifier | None = None,
    background: Any = None,
    sizes: Sequence[int] = SIZES,
    test_groups: int = TEST_GROUPS,
) -> int:
    """The command line; tests pass a small ``base`` with its ``background``, ``sizes`` and ``test_groups``."""
    parser = argparse.ArgumentParser(prog="python -m analysis.learning_curve", description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=5, help="random review orders (default 5)")
    parser.add_argument("--weight", type=float, default=WEIGHT, help=f"weight of a reviewed answer (default {WEIGHT})")
    parser.add_argument("--strategies", default=",".join(STRATEGIES), help="orders of review, comma-separated")
    parser.add_argument("--data", type=Path, default=EVAL_SET, help="labelled JSONL with groups (default: dev set 2)")
    parser.add_argument("--tune-data", type=Path, default=TUNE_SET, help="set the calibrator is fitted on")
    args = parser.parse_args(argv)
    refuse_heldout(parser, args.data, args.tune_data, option="")
    strategies = [name for name in args.strategies.split(",") if name]
    if not strategies or set(strategies) - set(STRATEGIES):
        parser.error(f"--strategies: expected some of {', '.join(STRATEGIES)}, got {args.strategies!r}")
    if base is None:
        from analysis.default_model import load_default_classifier

        base = load_default_classifier()
    calibrator = fit_calibrator(base, load_examples(args.tune_data))
    examples = load_examples(args.data)
    table = reliability(base, calibrator, examples)
    result = curve(base, examples, calibrator, orders=args.orders, sizes=sizes, weight=args.weight,
                   test_groups=test_groups, background=background, strategies=strategies)  # fmt: skip
    print(render(result, table))
    print(json.dumps({"data": args.data.name, "tune_data": args.tune_data.name, **result, "reliability": table}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
