"""The shipped vectors of the training texts: an embedding classifier is fitted without a cold e5 run."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis import default_model, embedding_block, embeddings, vector_pack
from analysis.classify import FactorClassifier
from analysis.default_model import PACK_PATH, hashed_files
from analysis.embeddings import CachedEmbedder, EmbeddingCache, get_embedder
from tests.analysis.test_embedding_block import FakeEmbedder

TEXTS = ["Rotation of staff every three years.", "Publier les résultats de l'enquête.", "Pago en línea."]


def test_pack_round_trip_keeps_each_vector_and_its_model(tmp_path: Path) -> None:
    fake = FakeEmbedder()
    path = tmp_path / "pack.npz"
    size = vector_pack.write_pack(CachedEmbedder(fake, EmbeddingCache(":memory:")), [*TEXTS, TEXTS[0]], path)
    assert size == path.stat().st_size
    model, digests, vectors = vector_pack.read_pack(path)
    assert model == "fake:fake-16" and vectors.dtype == np.float16 and vectors.shape == (3, 16)
    assert digests == [EmbeddingCache.digest(t) for t in TEXTS]

    empty = CachedEmbedder(FakeEmbedder(), EmbeddingCache(":memory:"))
    assert vector_pack.seed_cache(empty, path) == 3 and vector_pack.seed_cache(empty, path) == 0
    seeded = empty.encode(TEXTS)
    assert empty.embedder.seen == []  # read from the pack, nothing computed
    cosine = (seeded * FakeEmbedder().encode(TEXTS)).sum(axis=1) / np.linalg.norm(seeded, axis=1)
    assert cosine.min() > 0.999

    other = FakeEmbedder()
    other.model_id = "another-model"
    assert vector_pack.seed_cache(CachedEmbedder(other, EmbeddingCache(":memory:")), path) == 0


def test_fitting_an_embedding_classifier_reads_the_pack_instead_of_embedding(monkeypatch, tmp_path, corpus) -> None:
    small = corpus[::12]
    model = FactorClassifier(cv=3, embeddings="e5", embeddings_points=True)
    wanted = model.embedded_texts([e.text for e in small])
    assert set(wanted) > {e.text for e in small}  # the points of list answers are embedded too
    path = tmp_path / "pack.npz"
    vector_pack.write_pack(CachedEmbedder(FakeEmbedder(), EmbeddingCache(":memory:")), wanted, path)

    fake = FakeEmbedder()
    monkeypatch.setenv("CIPS_CACHE_DIR", str(tmp_path / "cache"))  # an empty shared cache, as on a CI machine
    monkeypatch.setattr(embeddings, "get_embedder", lambda name=None: fake)
    monkeypatch.setattr(embedding_block, "_EMBEDDERS", {})
    monkeypatch.setattr(embedding_block, "_SEEDED", set())
    monkeypatch.setattr(vector_pack, "PACK_PATH", path)
    model.fit([e.text for e in small], [list(e.labels) for e in small], langs=[e.lang for e in small])
    assert fake.seen == []  # every training answer and point came from the pack
    assert model.predict_labels(["Nouveau texte jamais vu."], ["fr"]) and fake.seen == ["Nouveau texte jamais vu."]


def test_the_pack_is_part_of_the_models_cache_key_when_the_shipped_model_reads_embeddings(monkeypatch) -> None:
    assert PACK_PATH in hashed_files()  # the shipped model reads e5 vectors
    monkeypatch.setattr(default_model, "SHIPPED_PARAMS", {})  # a model without: a new pack changes nothing
    assert PACK_PATH not in hashed_files()


def test_vector_pack_only_fitting_seeds_the_shared_cache(monkeypatch, tmp_path: Path) -> None:
    """A prediction (a web request) never copies the pack into the cache; the first fit of a process does, once."""
    seeded: list[object] = []
    monkeypatch.setenv("CIPS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(embeddings, "get_embedder", lambda name=None: FakeEmbedder())
    monkeypatch.setattr(embedding_block, "_EMBEDDERS", {})
    monkeypatch.setattr(embedding_block, "_SEEDED", set())
    monkeypatch.setattr(vector_pack, "seed_cache", lambda cached, path=None: seeded.append(cached) or 0)
    embedding_block.embed(["Une réponse."], "e5")
    assert embedding_block.missing_vectors(["Autre."], "e5")[1] == ["Autre."] and seeded == []
    embedding_block.embed(["Une réponse."], "e5", seed=True)
    embedding_block.embed(["Encore une."], "e5", seed=True)
    assert seeded == [embedding_block._EMBEDDERS[("e5", str(tmp_path))]]


def test_vector_pack_shared_embedders_follow_the_cache_dir(monkeypatch, tmp_path: Path) -> None:
    """A process that points CIPS_CACHE_DIR elsewhere writes its vectors there, with the model it has loaded."""
    loads: list[object] = []
    monkeypatch.setattr(embeddings, "get_embedder", lambda name=None: loads.append(name) or FakeEmbedder())
    monkeypatch.setattr(embedding_block, "_EMBEDDERS", {})
    monkeypatch.setattr(embedding_block, "_SEEDED", set())
    monkeypatch.setattr(vector_pack, "seed_cache", lambda cached, path=None: 0)
    for name in ("first", "second"):
        monkeypatch.setenv("CIPS_CACHE_DIR", str(tmp_path / name))
        embedding_block.embed([f"Réponse {name}."], "e5", seed=True)
    first, second = (embedding_block._EMBEDDERS[("e5", str(tmp_path / n))] for n in ("first", "second"))
    assert first.cache.path.parent == tmp_path / "first" and second.cache.path.parent == tmp_path / "second"
    assert second.missing(["Réponse second."]) == [] and first.missing(["Réponse second."]) == ["Réponse second."]
    assert first.embedder is second.embedder and loads == ["e5"]  # the model is loaded once
    assert {("e5", str(tmp_path / "first")), ("e5", str(tmp_path / "second"))} == embedding_block._SEEDED


def test_the_shipped_pack_is_e5s_and_covers_the_candidates_training_texts() -> None:
    """No model loaded: the pack's key and digests against what the candidate would embed. A pack
    that falls behind the corpus only costs time (the rest is embedded cold), so a few texts may be
    missing; more means `python -m analysis embeddings pack` must be run again."""
    model, digests, vectors = vector_pack.read_pack()
    e5 = CachedEmbedder(get_embedder("e5"), EmbeddingCache(":memory:"))
    assert model == e5.key, "the pack was made with another e5 build: python -m analysis embeddings pack"
    assert vectors.shape == (len(digests), 384)
    texts = vector_pack.training_texts()
    missing = {EmbeddingCache.digest(t) for t in texts} - set(digests)
    assert len(missing) <= 0.02 * len(texts), f"{len(missing)} training texts not packed: run the pack again"


def test_the_shipped_pack_matches_what_e5_computes_now() -> None:
    """The real bundled model on a few packed texts: the pack holds their vectors, not stale ones."""
    texts = vector_pack.training_texts()[::500]
    _, digests, vectors = vector_pack.read_pack()
    row = {d: i for i, d in enumerate(digests)}
    packed = np.array([vectors[row[EmbeddingCache.digest(t)]] for t in texts], dtype=np.float32)
    fresh = get_embedder("e5").encode(texts)
    cosine = (packed * fresh).sum(axis=1) / np.linalg.norm(packed, axis=1)
    assert len(texts) >= 6 and cosine.min() >= 0.99, cosine


def test_pack_command_writes_the_pack_from_the_cache_and_the_model(monkeypatch, tmp_path: Path, capsys) -> None:
    from analysis.__main__ import main

    fake = FakeEmbedder()
    monkeypatch.setenv("CIPS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(embeddings, "get_embedder", lambda name=None: fake)
    monkeypatch.setattr(vector_pack, "training_texts", lambda: TEXTS)
    out = tmp_path / "pack.npz"
    assert main(["embeddings", "pack", "--out", str(out)]) == 0
    assert sorted(fake.seen) == sorted(TEXTS)  # computed once, kept in the shared cache
    assert "3 vectors of fake:fake-16 written to" in capsys.readouterr().out
    assert vector_pack.read_pack(out)[0] == "fake:fake-16"
