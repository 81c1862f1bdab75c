"""Benchmark: a national campaign of 20,000 respondents x 70 items + 3 open answers,
from tidy tables to scores, themes and the HTML report. Goal: < 60 s and < 2 GB peak RSS.

The baseline measured in the same run is the same pipeline on 2,000 respondents, so
the ratio shows how time grows with size. Last line: one JSON object.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import FACTOR_IDS, load_default_classifier  # noqa: E402
from analysis.report import ReportInput, build_report, render_html  # noqa: E402
from bench.text_pipeline import generate  # noqa: E402

N_RESPONDENTS = 20_000
ITEMS_PER_FACTOR = 7  # 70 Likert items


def synthetic(n: int, seed: int = 0) -> ReportInput:
    rng = np.random.default_rng(seed)
    texts = generate(3 * n, seed)  # distinct answers: no cache can make them cheaper
    items = [(inst, f"{f}_{i}", "likert5", f, i == 3, f"{f} statement {i}") for inst in ("officials", "private_sector")
             for f in FACTOR_IDS for i in range(1, ITEMS_PER_FACTOR + 1)]  # fmt: skip
    items += [(inst, q, "text", None, False, q) for inst in ("officials", "private_sector")
              for q in ("open_works", "open_change_first", "open_other")]  # fmt: skip
    items_df = pd.DataFrame(items, columns=["instrument", "item_id", "type", "factor", "reverse", "text"])
    likert_ids = [i[1] for i in items if i[2] == "likert5" and i[0] == "officials"]
    respondents = pd.DataFrame({
        "respondent": [f"r{i}" for i in range(n)],
        "instrument": np.where(rng.random(n) < 0.55, "officials", "private_sector"),
        "language": rng.choice(["en", "fr", "es", "pt"], n),
    })  # fmt: skip
    values = np.clip(np.rint(rng.normal(3.2, 1.0, (n, len(likert_ids))) + rng.normal(0, 0.4, (n, 1))), 1, 5)
    values[rng.random(values.shape) < 0.05] = np.nan
    likert = pd.DataFrame(values, columns=likert_ids).assign(respondent=respondents["respondent"])
    likert = likert.melt(id_vars="respondent", var_name="item_id", value_name="value").dropna()
    questions = ("open_works", "open_change_first", "open_other")
    pairs = [(r, q) for r in respondents["respondent"] for q in questions]
    open_rows = [
        {"respondent": r, "item_id": q, "value": np.nan, "text": t} for (r, q), t in zip(pairs, texts, strict=True)
    ]
    answers = pd.concat([likert.assign(text=None), pd.DataFrame(open_rows)], ignore_index=True)
    return ReportInput(title="Benchmark campaign", administration="Bench", wave=1, respondents=respondents,
                       answers=answers, items=items_df)  # fmt: skip


def run(n: int, classifier: object) -> float:
    inp = synthetic(n)
    start = time.perf_counter()
    html = render_html(build_report(inp, lang="fr", classifier=classifier, n_boot=1000))
    elapsed = time.perf_counter() - start
    assert "<svg" in html
    return elapsed


def main() -> None:
    classifier = load_default_classifier()  # trained and cached beforehand: not part of a report's cost
    baseline = run(N_RESPONDENTS // 10, classifier)
    seconds = run(N_RESPONDENTS, classifier)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{N_RESPONDENTS} respondents: {seconds:.1f} s (goal < 60 s), peak RSS {peak_mb:.0f} MB (goal < 2048); "
          f"{N_RESPONDENTS // 10} respondents: {baseline:.1f} s", file=sys.stderr)  # fmt: skip
    print(json.dumps({"respondents": N_RESPONDENTS, "seconds": round(seconds, 1), "peak_rss_mb": round(peak_mb),
                      "baseline_2000_seconds": round(baseline, 1), "ratio": round(seconds / baseline, 2)}))  # fmt: skip


if __name__ == "__main__":
    main()
