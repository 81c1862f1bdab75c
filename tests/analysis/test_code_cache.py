"""The classifier's codes are remembered per model and answer, never for a stub, never to disk for decrypted answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.code_cache import CodeCache, code_answers
from analysis.embedding_block import private_vectors
from analysis.embeddings import EmbeddingCache

TEXTS = ["Plus de formation pour les agents.", "Publish the clearance times online.",
         "Plus de formation pour les agents."]  # fmt: skip


class _Counting:
    """Codes every text ``hrm`` and counts the texts it was asked to code."""

    def __init__(self, key: str | None = "model-a") -> None:
        if key is not None:
            self.cache_key_ = key
        self.asked: list[str] = []

    def predict_labels(self, texts: list[str], langs: list[str]) -> list[list[str]]:
        self.asked += texts
        return [["hrm", "culture"] if lang == "fr" else ["transparency"] for lang in langs]


@pytest.fixture
def cache_dir(monkeypatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("CIPS_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_code_cache_codes_each_distinct_answer_once_per_model(cache_dir: Path) -> None:
    model = _Counting()
    langs, labels = code_answers(model, TEXTS)
    assert langs == ["fr", "en", "fr"] and labels == [["hrm", "culture"], ["transparency"], ["hrm", "culture"]]
    assert sorted(model.asked) == sorted(set(TEXTS))  # the repeated answer coded once
    again = _Counting()  # another process, the same model: reads the codes kept
    assert code_answers(again, TEXTS) == (langs, labels) and again.asked == []
    other = _Counting("model-b")  # another model codes afresh
    code_answers(other, TEXTS[:1])
    assert other.asked == TEXTS[:1]
    assert (cache_dir / "codes.sqlite3").exists()


def test_code_cache_does_not_remember_a_model_without_a_key(cache_dir: Path) -> None:
    model = _Counting(key=None)
    code_answers(model, TEXTS)
    code_answers(model, TEXTS)
    assert len(model.asked) == 2 * len(TEXTS) and not (cache_dir / "codes.sqlite3").exists()


def test_code_cache_keeps_nothing_of_decrypted_answers(cache_dir: Path) -> None:
    model = _Counting()
    with private_vectors():
        code_answers(model, TEXTS)
    assert not (cache_dir / "codes.sqlite3").exists()
    assert CodeCache(cache_dir / "codes.sqlite3").get("model-a", []) == {}


def test_code_cache_round_trips_labels_in_order(tmp_path: Path) -> None:
    cache = CodeCache(tmp_path / "codes.sqlite3")
    cache.put("m", [(b"d1", "pt", ["other"]), (b"d2", "es", ["audit", "hrm"])])
    cache.put("m", [(b"d1", "en", ["hrm"])])  # the first code stays
    assert cache.get("m", [b"d1", b"d2", b"d3"]) == {b"d1": ("pt", ["other"]), b"d2": ("es", ["audit", "hrm"])}


def test_code_cache_forgets_the_codes_of_pruned_models(cache_dir: Path) -> None:
    from analysis.default_model import _prune

    for digest in ("old", "mid", "new"):
        (cache_dir / f"factor-classifier-{digest}.joblib").write_bytes(b"")
    code_answers(_Counting("factor-classifier-old"), TEXTS)
    code_answers(_Counting("factor-classifier-new;CIPS_SPACY_FR=/models/fr"), TEXTS)  # a trained pipeline's key
    code_answers(_Counting("factor-classifier-mid"), TEXTS[:1])
    (cache_dir / "factor-classifier-old.joblib").unlink()  # as _prune leaves it when it is not among the kept
    _prune(cache_dir, keep=3)
    cache = CodeCache(cache_dir / "codes.sqlite3")
    digest = EmbeddingCache.digest(TEXTS[0])
    spacy_key = "factor-classifier-new;CIPS_SPACY_FR=/models/fr"
    assert cache.get("factor-classifier-old", [digest]) == {}
    assert cache.get("factor-classifier-mid", [digest]) and cache.get(spacy_key, [digest])
    assert cache.forget_models_but(["factor-classifier-mid", "factor-classifier-new"]) == 0
