"""An embedding classifier on decrypted answers: its vectors stay in memory, never in the shared cache.

The vectors of an answer say what it says; the shared embeddings cache outlives the decryption
and is readable by the server's user. So ``cips decrypt --review/--report`` must classify with an
embedding model without writing a single vector of a decrypted answer there.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import analysis
from analysis import embedding_block, embeddings
from analysis.classify import FactorClassifier
from analysis.embeddings import EmbeddingCache
from tests.conftest import FakeEmbedder
from tests.sealed import (
    SECRET_WORDS,
    URL,
    decrypt,
    envelope,
    submission,
)

#: A text the stand-in for the shipped model's loading embeds, as training on the corpus would.
TRAINING = "Rotation of officers at the border posts every three years."


@pytest.fixture
def embedding_model(monkeypatch, tmp_path: Path, embedding_classifier,
                    small_calibrator) -> tuple[FakeEmbedder, Path]:  # fmt: skip
    """The shipped model replaced by an embedding classifier whose backend ("e5" by name) is a fake,
    behind a shared cache of the test's own; returns the fake and that cache's file."""
    monkeypatch.setenv("CIPS_CACHE_DIR", str(tmp_path / "cache"))
    fake = FakeEmbedder()
    monkeypatch.setattr(embeddings, "get_embedder", lambda name=None: fake)
    monkeypatch.setattr(embedding_block, "_EMBEDDERS", {})
    monkeypatch.setattr(embedding_block, "_SEEDED", set())

    def load() -> FactorClassifier:
        embedding_block.embed([TRAINING], "e5")  # as training would: its vectors belong in the shared cache
        return embedding_classifier

    monkeypatch.setattr(analysis, "load_default_classifier", load)
    return fake, tmp_path / "cache" / "embeddings.sqlite3"


def _cached_secrets(seen: list[str], path: Path) -> tuple[int, int]:
    """(decrypted texts embedded, how many of them the shared cache holds)."""
    secrets = sorted({t for t in seen if SECRET_WORDS in t})
    found = EmbeddingCache(path).get(f"{FakeEmbedder.backend}:{FakeEmbedder.model_id}",
                                     [EmbeddingCache.digest(t) for t in secrets])  # fmt: skip
    return len(secrets), len(found)


@pytest.mark.parametrize("option", ["--review", "--report"])
def test_decrypt_keeps_an_embedding_models_vectors_of_the_answers_in_memory(
    option, embedding_model, sealed, client, runner, tmp_path: Path, fake_embedder
) -> None:  # fmt: skip
    fake, shared = embedding_model
    for _ in range(6):
        assert client.post(URL, json=envelope(submission(), sealed["public_key"])).status_code == 201
    out = tmp_path / ("review.xlsx" if option == "--review" else "report.html")
    result = decrypt(runner, "sealed", "--key", str(sealed["key_file"]), "--out", str(tmp_path / "a.csv"),
                     option, str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    # The model read the six answers' vectors, from memory only (for the report, the themes' in-memory
    # embedder, of the same key here, computed them once and the classifier read them there).
    embedded, cached = _cached_secrets(fake.seen + fake_embedder.seen, shared)
    assert embedded == 6 and cached == 0
    # The model was loaded (trained, if it had to be) before the private context: its own vectors are shared.
    assert EmbeddingCache(shared).get(f"{fake.backend}:{fake.model_id}", [EmbeddingCache.digest(TRAINING)])


def test_private_vectors_share_the_model_but_not_the_cache(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CIPS_CACHE_DIR", str(tmp_path))
    fake = FakeEmbedder()
    monkeypatch.setattr(embeddings, "get_embedder", lambda name=None: fake)
    monkeypatch.setattr(embedding_block, "_EMBEDDERS", {})
    monkeypatch.setattr(embedding_block, "_SEEDED", set())
    outside = embedding_block.embed(["a shared text"], "e5")
    with embedding_block.private_vectors() as memory:
        inside = embedding_block.embed(["a shared text", "a private text"], "e5")
        assert memory.count("fake:fake-1") == 2
    np.testing.assert_allclose(inside[0], outside[0])
    assert EmbeddingCache(tmp_path / "embeddings.sqlite3").count("fake:fake-1") == 1
    with pytest.raises(ValueError, match="in-memory"), embedding_block.private_vectors(EmbeddingCache(tmp_path / "o")):
        pass
