"""The classifier's codes of answers, remembered, so that a report reads them instead of classifying again.

Coding is the slow part of a large report: on the campaign benchmark (``bench/campaign.py``, 20,000
respondents, 60,000 open answers, 2 cores) the report that codes takes about three times as long as the
one that reads the codes kept (README, "Benchmarks"). An answer's code depends only on
the fitted model and the text, so each (model key, text digest) is coded once and kept with the
language detected for it, in ``codes.sqlite3`` beside the embeddings cache (shared between processes,
like it). A classifier is remembered only if it carries ``cache_key_`` (the shipped one, set by
``analysis.default_model.load_default_classifier`` from its digest of code, data and libraries); a
test's stub or a model fitted in this process is simply called. Inside ``private_vectors`` (decrypted
answers, ``cips decrypt --report``) nothing is written to disk: the codes are computed and forgotten.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from analysis.embeddings import EmbeddingCache, SQLiteStore


class CodeCache(SQLiteStore):
    """(language, labels) by (model key, text digest) in one SQLite file, shared between processes."""

    def __init__(self, path: Path | str | None = None) -> None:
        super().__init__(path, "codes.sqlite3",
                         "CREATE TABLE IF NOT EXISTS codes (model TEXT NOT NULL, digest BLOB NOT NULL,"
                         " lang TEXT NOT NULL, labels TEXT NOT NULL,"
                         " PRIMARY KEY (model, digest)) WITHOUT ROWID")  # fmt: skip

    def get(self, model: str, digests: Sequence[bytes]) -> dict[bytes, tuple[str, list[str]]]:
        query = "SELECT digest, lang, labels FROM codes WHERE model = ? AND digest IN ({marks})"
        return {bytes(d): (lang, json.loads(labels)) for d, lang, labels in self._by_digest(query, model, digests)}

    def put(self, model: str, items: Iterable[tuple[bytes, str, Sequence[str]]]) -> None:
        rows = [(model, d, lang, json.dumps(list(labels))) for d, lang, labels in items]
        self._write("INSERT OR IGNORE INTO codes (model, digest, lang, labels) VALUES (?, ?, ?, ?)", rows)

    def forget_models_but(self, kept: Iterable[str]) -> int:
        """Delete the codes of every model whose key does not start with one of ``kept``; rows deleted.

        The codes of a model whose file was pruned can never be read again (its digest names code and data
        that are gone); without this the file grows by a campaign's answers at each upgrade.
        """
        kept = tuple(kept)
        with self._lock:
            models = [m for (m,) in self._db.execute("SELECT DISTINCT model FROM codes")]
        stale = [(m,) for m in models if not m.startswith(kept)]
        return self._write("DELETE FROM codes WHERE model = ?", stale) if stale else 0


#: One cache per file and process (the cache dir can change between tests).
_CACHES: dict[Path, CodeCache] = {}


def _shared() -> CodeCache:
    from analysis.default_model import cache_dir

    path = cache_dir() / "codes.sqlite3"
    if path not in _CACHES:
        _CACHES[path] = CodeCache(path)
    return _CACHES[path]


def forget_pruned_models(folder: Path) -> int:
    """Drop the codes of every model but those whose file is still in ``folder`` (called after models are pruned)."""
    path = folder / "codes.sqlite3"
    if not path.exists():
        return 0
    kept = [model.stem for model in folder.glob("factor-classifier-*.joblib")]
    cache = _CACHES.get(path) or CodeCache(path)
    return cache.forget_models_but(kept)


def _compute(classifier: Any, texts: list[str]) -> tuple[list[str], list[list[str]]]:
    from analysis.language import detect_language

    langs = detect_language(texts)
    return langs, [list(labels) for labels in classifier.predict_labels(texts, langs)]


def code_answers(classifier: Any, texts: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """(each text's detected language, its labels, primary first), from the cache where the model coded it before."""
    from analysis.embedding_block import in_private_mode

    texts = list(texts)
    key = getattr(classifier, "cache_key_", None)
    if key is None or in_private_mode() or not texts:
        return _compute(classifier, texts)
    cache = _shared()
    digests = [EmbeddingCache.digest(t) for t in texts]
    found = cache.get(key, list(dict.fromkeys(digests)))
    todo = {d: t for d, t in zip(digests, texts, strict=True) if d not in found}
    if todo:
        langs, labels = _compute(classifier, list(todo.values()))
        new = list(zip(todo, langs, labels, strict=True))
        cache.put(key, new)
        found.update((d, (lang, ls)) for d, lang, ls in new)
    return [found[d][0] for d in digests], [list(found[d][1]) for d in digests]
