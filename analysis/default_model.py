"""The classifier trained on the shipped corpus, trained once and cached on disk.

The cache key hashes the corpus, the codebook, the code that shapes features
and the scikit-learn version: change any of them and the model is retrained.
Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import joblib
import platformdirs
import sklearn

from analysis.classify import FactorClassifier

if TYPE_CHECKING:
    from analysis.evaluate import Example

DATA_DIR = Path(__file__).resolve().parent / "data"
CORPUS_PATH = DATA_DIR / "rad_corpus.jsonl"
CODEBOOK_PATH = DATA_DIR / "rad_codebook.yaml"
_CODE = ("classify.py", "features.py", "codebook.py", "nlp.py", "language.py", "default_model.py")


def cache_dir() -> Path:
    return Path(os.environ.get("CIPS_CACHE_DIR") or platformdirs.user_cache_dir("cips"))


def model_digest() -> str:
    digest = hashlib.sha256(sklearn.__version__.encode())
    for path in (CORPUS_PATH, CODEBOOK_PATH, *(Path(__file__).parent / name for name in _CODE)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fit_examples(examples: Sequence[Example]) -> FactorClassifier:
    """A classifier with default settings fitted on labelled examples (their languages, primaries, groups)."""
    return FactorClassifier().fit([e.text for e in examples], [list(e.labels) for e in examples],
                                  langs=[e.lang for e in examples], primary=[e.primary for e in examples],
                                  groups=[e.group for e in examples])  # fmt: skip


def train_default() -> FactorClassifier:
    from analysis.evaluate import load_examples

    return fit_examples(load_examples(CORPUS_PATH))


@lru_cache(maxsize=1)
def load_default_classifier() -> FactorClassifier:
    """The shipped classifier: from the cache when its key matches, else trained and cached."""
    path = cache_dir() / f"factor-classifier-{model_digest()}.joblib"
    if path.exists():
        try:
            return joblib.load(path)
        except Exception:
            path.unlink(missing_ok=True)
    model = train_default()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    joblib.dump(model, tmp)
    tmp.replace(path)  # atomic: a concurrent reader never sees half a file
    return model
