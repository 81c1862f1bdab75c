"""analysis.embeddings: the interface, the backends by name, and the persistent cache."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from analysis import embeddings
from analysis.embeddings import CachedEmbedder, EmbeddingCache, EmbeddingError, TfidfEmbedder, get_embedder


class CountingEmbedder:
    """A fake backend: a vector per text from its hash, and a record of every text it was asked for."""

    backend = "fake"

    def __init__(self, model_id: str = "fake-1", fail_after: int | None = None) -> None:
        self.model_id = model_id
        self.seen: list[str] = []
        self.fail_after = fail_after

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self.fail_after is not None and len(self.seen) + len(texts) > self.fail_after:
            raise KeyboardInterrupt
        self.seen.extend(texts)
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=8) for t in texts]
        return embeddings._normalised(np.array(rows).reshape(len(texts), 8))


def test_embeddings_tfidf_rows_are_unit_float32() -> None:
    vectors = TfidfEmbedder().encode(["rotation of officers", "rotation des agents", ""])
    assert vectors.shape == (3, TfidfEmbedder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert np.linalg.norm(vectors[2]) == 0.0  # an empty text has no n-gram: a zero row, not NaN


def test_embeddings_backend_chosen_by_name_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_embedder("tfidf").backend == "tfidf"
    monkeypatch.setenv("CIPS_EMBEDDINGS", "tfidf")
    assert get_embedder().backend == "tfidf"
    with pytest.raises(EmbeddingError, match="unknown embeddings backend 'bert'"):
        get_embedder("bert")
    with pytest.raises(EmbeddingError, match="is not a folder"):
        get_embedder("st:/nonexistent/model")


def test_embeddings_cache_embeds_each_distinct_text_once(tmp_path: Path) -> None:
    fake = CountingEmbedder()
    cached = CachedEmbedder(fake, EmbeddingCache(tmp_path / "e.sqlite3"), batch_size=2)
    texts = ["a", "b", "a", "c"]
    first = cached.encode(texts)
    assert fake.seen == ["a", "b", "c"]
    assert np.array_equal(first[0], first[2])  # same text, same row, in the caller's order
    again = CachedEmbedder(fake, EmbeddingCache(tmp_path / "e.sqlite3")).encode(["c", "a", "d"])
    assert fake.seen == ["a", "b", "c", "d"]  # a new process would embed only "d"
    assert np.array_equal(again[0], first[3]) and np.array_equal(again[1], first[0])
    other_model = CountingEmbedder(model_id="fake-2")
    CachedEmbedder(other_model, EmbeddingCache(tmp_path / "e.sqlite3")).encode(["a"])
    assert other_model.seen == ["a"]  # the key includes the model: another model embeds again


def test_embeddings_interrupted_run_keeps_finished_batches(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite3")
    with pytest.raises(KeyboardInterrupt):
        CachedEmbedder(CountingEmbedder(fail_after=4), cache, batch_size=2).encode(list("abcdef"))
    resumed = CountingEmbedder()
    cached = CachedEmbedder(resumed, cache, batch_size=2)
    assert cached.missing(list("abcdef")) == ["e", "f"]
    cached.encode(list("abcdef"))
    assert resumed.seen == ["e", "f"]


def _fill(path: str, offset: int) -> None:
    texts = [f"answer {i}" for i in range(offset, offset + 300)]
    CachedEmbedder(CountingEmbedder(), EmbeddingCache(path), batch_size=7).encode(texts)


def test_embeddings_cache_is_safe_for_two_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite3")
    ctx = multiprocessing.get_context("spawn")
    # Four processes opening one new file at once: setting it up raced ("database is locked").
    workers = [ctx.Process(target=_fill, args=(path, offset)) for offset in (0, 150, 0, 150)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert EmbeddingCache(path).count("fake:fake-1") == 450  # overlapping 150 stored once


def test_embeddings_cache_is_safe_for_threads_sharing_it(tmp_path: Path) -> None:
    """A web worker's background jobs (two campaigns' text analyses, a model fitted meanwhile) write
    through one process-wide cache at once: no write is lost and none fails."""
    cache = EmbeddingCache(tmp_path / "shared.sqlite3")
    errors: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            for batch in range(200):
                rows = [(EmbeddingCache.digest(f"{thread} {batch} {k}"), np.ones(8)) for k in range(10)]
                cache.put("fake:fake-1", rows)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    def read() -> None:
        try:
            for batch in range(200):
                cache.count("fake:fake-1")
                cache.get("fake:fake-1", [EmbeddingCache.digest(f"0 {batch} 0")])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)] + [threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == [] and cache.count("fake:fake-1") == 3 * 200 * 10


def test_embeddings_e5_default_backend_brings_translations_together(tmp_path: Path) -> None:
    """The real bundled model on 20 texts: 5 meanings, each in en/fr/es/pt."""
    meanings = [
        (
            "Officers should change posts every three years.",
            "Les agents devraient changer de poste tous les trois ans.",
            "Los funcionarios deberían cambiar de puesto cada tres años.",
            "Os funcionários deveriam mudar de posto a cada três anos.",
        ),
        (
            "Put the declaration and the payment online.",
            "Mettez la déclaration et le paiement en ligne.",
            "Pongan la declaración y el pago en línea.",
            "Coloquem a declaração e o pagamento online.",
        ),
        (
            "The director general must set the example.",
            "Le directeur général doit montrer l'exemple.",
            "El director general debe dar el ejemplo.",
            "O diretor-geral deve dar o exemplo.",
        ),
        (
            "We need a safe channel to report bribes.",
            "Il faut un canal sûr pour signaler les pots-de-vin.",
            "Necesitamos un canal seguro para denunciar sobornos.",
            "Precisamos de um canal seguro para denunciar propinas.",
        ),
        (
            "Thank you to the WCO experts for the mission.",
            "Merci aux experts de l'OMD pour la mission.",
            "Gracias a los expertos de la OMA por la misión.",
            "Obrigado aos especialistas da OMA pela missão.",
        ),
    ]
    texts = [t for group in meanings for t in group]
    embedder = get_embedder("e5")
    vectors = CachedEmbedder(embedder, EmbeddingCache(tmp_path / "e.sqlite3")).encode(texts)
    assert vectors.shape == (20, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    similarity = vectors @ vectors.T
    group = np.repeat(np.arange(5), 4)
    np.fill_diagonal(similarity, -1.0)
    nearest = similarity.argmax(axis=1)
    # each answer's nearest neighbour is one of its own translations, never another meaning
    assert all(group[nearest[i]] == group[i] for i in range(20)), [
        texts[i] for i in range(20) if group[nearest[i]] != group[i]
    ]
