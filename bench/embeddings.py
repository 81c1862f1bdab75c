"""Benchmark: sentence embeddings, texts/s cold (the model computes) and from the cache.

Texts are a seeded random sample of the demo's open answers and the training corpus (never a
held-out set). "Cold" embeds them into an empty cache; "cached" asks again for the same texts,
which must read every vector back and compute none. The ratio is cached / cold speed in the
same run. ``--backend`` picks the embedder (default e5, the bundled multilingual-e5-small).
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.embeddings import CachedEmbedder, EmbeddingCache, get_embedder  # noqa: E402


def sample(n: int, seed: int = 0) -> list[str]:
    texts: list[str] = []
    for path in (ROOT / "cips/demo/open_answers.jsonl", ROOT / "analysis/data/rad_corpus.jsonl"):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    return random.Random(seed).sample(sorted(set(texts)), n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="e5")
    parser.add_argument("-n", type=int, default=96, help="distinct texts to embed (default 96)")
    args = parser.parse_args()
    texts = sample(args.n)
    started = time.perf_counter()
    embedder = get_embedder(args.backend)
    if hasattr(embedder, "load"):  # e5 loads its model at the first encode: timed apart
        embedder.load()
    load_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        cached = CachedEmbedder(embedder, EmbeddingCache(Path(tmp) / "bench.sqlite3"))
        started = time.perf_counter()
        cold = cached.encode(texts)
        cold_s = time.perf_counter() - started
        if cached.missing(texts):
            sys.exit("cache did not keep every vector")
        started = time.perf_counter()
        warm = cached.encode(texts)
        warm_s = time.perf_counter() - started
        if not (warm == cold).all():
            sys.exit("cached vectors differ from the computed ones")
        cached.cache.close()
    chars = sum(map(len, texts)) / len(texts)
    print(
        f"{args.backend} ({embedder.model_id}): model load {load_s:.2f} s; {len(texts)} texts "
        f"(mean {chars:.0f} characters) cold {cold_s:.1f} s, from the cache {warm_s * 1000:.1f} ms"
    )
    print(
        json.dumps(
            {
                "backend": args.backend,
                "texts": len(texts),
                "mean_chars": round(chars),
                "cold_texts_per_s": round(len(texts) / cold_s, 2),
                "cached_texts_per_s": round(len(texts) / warm_s),
                "ratio": round(cold_s / warm_s, 1),
                "load_s": round(load_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
