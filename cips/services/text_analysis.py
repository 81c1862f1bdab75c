"""Text analysis of a campaign: its open answers embedded ahead of the report, never in a request.

The report groups open answers into themes by meaning with sentence embeddings
(``analysis.embeddings``, ``CIPS_EMBEDDINGS``). Embedding is slow on a small server (about 9
answers a second on 2 cores with the bundled multilingual-e5-small), so it is done ahead, by
``cips text embed CAMPAIGN`` (progress bar) or by a background job (``cips.manage.text_jobs``),
into the shared embeddings cache; each distinct answer once per model. The status ("12,000 /
15,000 distinct answers ready") is counted from that cache. A report built before every answer is ready
groups by shared words and codebook concepts instead, and says so (``analysis.report``).

When the shipped classifier reads sentence embeddings (``analysis.default_model.SHIPPED_PARAMS``),
the same job embeds what it reads too (each answer and its points, with its model): the report and
the review queue's suggestions then read them from the cache and never compute one; an answer
counts as ready once every model that reads it has its vector. The job then codes the answers with
the shipped classifier into its codes cache (``analysis.code_cache``): coding 60,000 answers takes
longer than everything else a report does, and the report reads the codes kept.

Encrypted campaigns: the server holds no decrypted answer, so there is nothing to embed here;
``cips decrypt --report`` embeds the decrypted answers in memory, never in the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from analysis.embeddings import CachedEmbedder, EmbeddingCache, get_embedder
from cips.instruments.schema import ItemType
from cips.instruments.service import definition_of
from cips.models import Answer, Campaign, Submission
from cips.services.campaigns import campaign_instruments
from cips.services.exclusions import counted
from cips.services.messages import N_

#: Answers embedded between two looks at the cache: another process (the command line and a
#: background job at once) then embeds at most this many twice.
CHUNK = 256


class TextAnalysisError(ValueError):
    pass


@dataclass(frozen=True)
class TextStatus:
    """Distinct open answers of a campaign, and how many the configured model has embedded."""

    ready: int
    total: int
    model: str  # the cache key of the model; "" when no sentence model is configured

    @property
    def complete(self) -> bool:
        return self.ready == self.total


def sentence_embedder(in_memory: bool = False) -> CachedEmbedder | None:
    """The configured sentence model behind the shared cache; ``None`` for ``CIPS_EMBEDDINGS=tfidf``.

    The report's own grouping by shared words and codebook concepts is the no-model choice (it
    brings translations closer than hashed n-grams do). ``in_memory``: vectors of decrypted
    answers, kept in this process only.
    """
    backend = get_embedder()
    if backend.backend == "tfidf":
        return None
    return CachedEmbedder(backend, EmbeddingCache(":memory:") if in_memory else None)


def coding_model() -> tuple[Any, CachedEmbedder] | None:
    """The shipped classifier (unfitted: its settings say which texts it reads) and the sentence model
    behind the shared cache it reads them from; ``None`` when the shipped settings read no embeddings."""
    from analysis.classify import FactorClassifier
    from analysis.default_model import SHIPPED_PARAMS
    from analysis.embedding_block import cached_embedder

    if SHIPPED_PARAMS.get("embeddings") is None:
        return None
    return FactorClassifier(**SHIPPED_PARAMS), cached_embedder(SHIPPED_PARAMS["embeddings"])


def open_texts(session: Session, campaign: Campaign) -> list[str]:
    """The campaign's open answers (items of type text) that count, as the report reads them."""
    wanted = []
    for row in campaign_instruments(session, campaign):
        ids = [item.id for item in definition_of(row).items() if item.type is ItemType.text]
        if ids:
            wanted.append(and_(Submission.instrument_id == row.id, Answer.item_id.in_(ids)))
    if not wanted:
        return []
    query = (
        select(Answer.value_text)
        .join(Submission, Submission.id == Answer.submission_id)
        .where(counted(campaign.id), Answer.value_text.is_not(None), or_(*wanted))
    )
    return [text for (text,) in session.execute(query)]


def text_status(session: Session, campaign: Campaign, embedder: CachedEmbedder | None = None) -> TextStatus | None:
    """What is ready for the report's themes; ``None`` for an encrypted campaign (see the module)."""
    if campaign.encrypted:
        return None
    texts = open_texts(session, campaign)
    return _status(texts, embedder or sentence_embedder(), coding_model())


def _models(themes: CachedEmbedder | None, coding: tuple[Any, CachedEmbedder] | None) -> list[CachedEmbedder]:
    """The sentence models that read a campaign's answers: the themes', the classifier's."""
    return [m for m in (themes, coding[1] if coding else None) if m is not None]


def _missing(texts: list[str], models: list[CachedEmbedder]) -> set[str]:
    """The distinct ``texts`` some model lacks a vector of."""
    return set().union(*(m.missing(texts) for m in models))


def _status(texts: list[str], themes: CachedEmbedder | None, coding: tuple[Any, CachedEmbedder] | None) -> TextStatus:
    """An answer is ready once every model that reads it (the themes', the classifier's) has its
    vector. The classifier's vectors of an answer's points are embedded with it, but counted by the
    report only (cutting every answer into points here would make the page slow)."""
    models = _models(themes, coding)
    distinct = set(texts)
    if not models:
        return TextStatus(ready=0, total=len(distinct), model="")
    return TextStatus(ready=len(distinct) - len(_missing(texts, models)), total=len(distinct),
                      model="+".join(dict.fromkeys(m.key for m in models)))  # fmt: skip


def embed_campaign(session: Session, slug: str, progress: bool = False,
                   on_batch: Callable[[int], None] | None = None) -> TextStatus:  # fmt: skip
    """Embed the campaign's answers the cache lacks; resumable (each batch is kept as it is done)."""
    campaign = session.execute(select(Campaign).where(Campaign.slug == slug)).scalar_one_or_none()
    if campaign is None:
        raise TextAnalysisError(N_("no campaign %(slug)s (see `cips campaign list`)", slug=repr(slug)))
    if campaign.encrypted:
        raise TextAnalysisError(
            N_("the answers of %(slug)s are encrypted: `cips decrypt --report` analyses them in memory",
               slug=repr(slug))
        )  # fmt: skip
    embedder, coding = sentence_embedder(), coding_model()
    texts = open_texts(session, campaign)
    todo = list(_missing(texts, _models(embedder, coding)))
    if todo:
        from tqdm import tqdm

        with tqdm(total=len(todo), unit="answer", desc=f"text analysis of {slug}", disable=not progress) as bar:
            for start in range(0, len(todo), CHUNK):
                answers = todo[start : start + CHUNK]
                if embedder is not None:
                    # Asked again per chunk: what another process embedded meanwhile is not redone.
                    embedder.encode(embedder.missing(answers), on_batch=on_batch)
                if coding is not None:  # the classifier's: the answers and their points, together
                    classifier, model = coding
                    model.encode(model.missing(classifier.embedded_texts(answers)), on_batch=on_batch)
                bar.update(len(answers))
    if coding is not None:  # points an interrupted run left out, of answers embedded already
        classifier, model = coding
        model.encode(model.missing(classifier.embedded_texts(texts)), on_batch=on_batch)
        code_campaign(texts, progress, on_batch)
    return _status(texts, embedder, coding)


def code_campaign(texts: list[str], progress: bool = False, on_batch: Callable[[int], None] | None = None) -> None:
    """Code the answers with the shipped classifier into its codes cache, a chunk at a time (what is
    coded already is read, not coded again), so that the campaign's report reads the codes."""
    from tqdm import tqdm

    from analysis import load_default_classifier
    from analysis.code_cache import code_answers

    distinct = list(dict.fromkeys(texts))
    if not distinct:
        return
    if on_batch is not None:
        on_batch(0)  # alive: loading the classifier may train it first (minutes, once per version)
    classifier = load_default_classifier()
    with tqdm(total=len(distinct), unit="answer", desc="coding", disable=not progress) as bar:
        for start in range(0, len(distinct), CHUNK):
            chunk = distinct[start : start + CHUNK]
            code_answers(classifier, chunk)
            bar.update(len(chunk))
            if on_batch is not None:
                on_batch(0)  # alive: nothing more embedded
