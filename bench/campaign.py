"""Benchmark: a national campaign of 20,000 respondents x 70 items + 3 open answers,
from tidy tables to scores, themes by meaning and the HTML report. Goal: < 60 s from a warm
embeddings cache and < 2 GB peak RSS; the cold embedding time is reported beside it.

The report reads every open answer's vector from the embeddings cache (``CachedEmbedder``, the
same SQLite cache and code path as ``cips report``) and clusters them with ``ThemeModel``.
Embedding the 60,000 distinct answers with the bundled e5 takes hours on 2 cores, so:

- **cold**: e5 embeds a random sample of the answers (``--sample``, into an empty cache); the
  full cold time is that rate times the answers, an *estimate* (``cold_estimated: true``);
- **warm**: the cache is filled under e5's key with stand-in vectors of the same shape (hashed
  word and character n-grams, projected to e5's 384 dimensions and normalised: near texts stay
  near), so the report's reading and clustering are timed as with e5's own vectors. The shipped
  classifier also reads e5 vectors (each answer's and its points'): it gets the same stand-ins.
  Without them the report would hold no themes ("text analysis not ready") and time nothing of
  the text analysis, so the run checks that the report has themes.
- **first report** and **again**: the first report of the campaign codes every answer with the
  classifier (``analysis.code_cache``: most of its time); a report made again, or
  after the codes were kept, reads them. Both are timed; ``seconds`` is the report from a warm
  cache (vectors and codes), ``first_report_seconds`` the one that codes.

Everything the run writes (stand-in vectors, codes) goes to a temporary cache dir, a fresh one per
run (``CIPS_CACHE_DIR`` is pointed there once the shipped classifier is loaded from the user's cache),
never to the user's shared caches.

``--embeddings tfidf`` times the report without a sentence model (themes by shared words and
codebook concepts), the figure before embeddings. The baseline measured in the same run is the
same pipeline on 2,000 respondents, so the ratio shows how time grows with size.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import FACTOR_IDS, load_default_classifier  # noqa: E402
from analysis.embedding_block import cached_embedder  # noqa: E402
from analysis.embeddings import CachedEmbedder, EmbeddingCache, TfidfEmbedder, get_embedder  # noqa: E402
from analysis.report import ReportInput, build_report, render_html  # noqa: E402
from analysis.report.build import open_answers  # noqa: E402
from bench.text_pipeline import generate  # noqa: E402

N_RESPONDENTS = 20_000
ITEMS_PER_FACTOR = 7  # 70 Likert items


def synthetic(n: int, seed: int = 0) -> ReportInput:
    rng = np.random.default_rng(seed)
    texts = [t for t, _ in generate(3 * n, seed)]  # distinct answers: no cache can make them cheaper
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


def fill_warm(cached: CachedEmbedder, texts: list[str]) -> None:
    """Stand-in vectors under the real model's key (see the module docstring)."""
    dim = 384
    projection = np.random.default_rng(0).normal(size=(TfidfEmbedder.dim, dim)).astype(np.float32)
    stand_in = TfidfEmbedder()
    todo = cached.missing(texts)
    for start in range(0, len(todo), 2000):
        chunk = todo[start : start + 2000]
        vectors = stand_in.encode(chunk) @ projection
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        cached.cache.put(cached.key, zip((EmbeddingCache.digest(t) for t in chunk), vectors, strict=True))


def _report(inp: ReportInput, classifier: object, cached: CachedEmbedder | None) -> tuple[float, Any]:
    start = time.perf_counter()
    report = build_report(inp, lang="fr", classifier=classifier, n_boot=1000, embedder=cached)
    html = render_html(report)
    elapsed = time.perf_counter() - start
    assert "<svg" in html
    assert report.text_analysis.coded and report.themes, "the classifier's vectors were missing: no themes timed"
    if cached is not None:
        assert report.text_analysis.by_meaning, "the warm cache lacked answers: the report fell back"
    return elapsed, report


def _own_cache_dir(folder: Path) -> None:
    """Point the shared caches (the classifier's vectors, the codes) at ``folder``: never the user's, and a fresh
    one per run (the baseline's answers are the first tenth of the full run's: their codes must not carry over)."""
    folder.mkdir()
    os.environ["CIPS_CACHE_DIR"] = str(folder)  # the shared embedders are per cache dir: they follow


def run(n: int, classifier: object, cached: CachedEmbedder | None) -> tuple[float, dict]:
    """Seconds of the report from a warm cache (vectors and codes); the first report's, which codes, in the dict."""
    inp = synthetic(n)
    texts = open_answers(inp)["text"].tolist()
    if cached is not None:
        fill_warm(cached, texts)
    backend = getattr(classifier, "embeddings", None)
    if backend is not None:
        fill_warm(cached_embedder(backend), classifier.embedded_texts(texts))
    first, _ = _report(inp, classifier, cached)
    again, report = _report(inp, classifier, cached)
    return again, {"open_answers": report.text_analysis.total if cached is not None else None,
                   "themes": len(report.themes), "first_report_seconds": round(first, 1)}  # fmt: skip


def cold_rate(texts: list[str], sample: int, cache_path: Path) -> tuple[float, float, int]:
    """e5's texts/s on a random sample of the campaign's answers, into an empty cache; model load apart."""
    embedder = get_embedder("e5")
    started = time.perf_counter()
    embedder.load()
    load_s = time.perf_counter() - started
    chosen = random.Random(0).sample(texts, sample)
    cached = CachedEmbedder(embedder, EmbeddingCache(cache_path))
    started = time.perf_counter()
    cached.encode(chosen)
    return sample / (time.perf_counter() - started), load_s, sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embeddings", choices=("e5", "tfidf"), default="e5")
    parser.add_argument("--sample", type=int, default=64, help="answers e5 embeds cold to measure its rate")
    parser.add_argument("--respondents", type=int, default=N_RESPONDENTS, help="(a smoke run: fewer)")
    args = parser.parse_args()
    classifier = load_default_classifier()  # trained and cached beforehand: not part of a report's cost
    out: dict = {"respondents": args.respondents, "embeddings": args.embeddings}
    with tempfile.TemporaryDirectory() as tmp:
        cached = None
        if args.embeddings == "e5":
            cached = CachedEmbedder(get_embedder("e5"), EmbeddingCache(Path(tmp) / "warm.sqlite3"))
        _own_cache_dir(Path(tmp) / "baseline")
        baseline, _ = run(args.respondents // 10, classifier, cached)
        _own_cache_dir(Path(tmp) / "full")
        seconds, info = run(args.respondents, classifier, cached)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out |= {"seconds": round(seconds, 1), "first_report_seconds": info["first_report_seconds"],
                "peak_rss_mb": round(peak_mb), "themes": info["themes"],
                f"baseline_{args.respondents // 10}_seconds": round(baseline, 1),
                "ratio": round(seconds / baseline, 2)}  # fmt: skip
        if cached is not None:
            texts = open_answers(synthetic(args.respondents))["text"].tolist()
            rate, load_s, sample = cold_rate(texts, args.sample, Path(tmp) / "cold.sqlite3")
            distinct = info["open_answers"]
            out |= {"warm_vectors": "stand-in (hashed n-grams projected to 384 dims) under e5's key",
                    "open_answers": distinct, "cold_sample": sample, "cold_texts_per_s": round(rate, 2),
                    "cold_seconds": round(distinct / rate), "cold_estimated": True,
                    "model_load_s": round(load_s, 2)}  # fmt: skip
    out["load_average"] = round(os.getloadavg()[0], 1)
    print(f"{args.respondents} respondents ({args.embeddings}): {out['seconds']} s from a warm cache (goal < 60 s; "
          f"the first report, which codes the answers: {out['first_report_seconds']} s), "
          f"peak RSS {out['peak_rss_mb']} MB (goal < 2048)"
          + (f"; cold embedding ≈ {out['cold_seconds'] / 3600:.1f} h at {out['cold_texts_per_s']} texts/s"
             if cached is not None else ""), file=sys.stderr)  # fmt: skip
    print(json.dumps(out))


if __name__ == "__main__":
    main()
