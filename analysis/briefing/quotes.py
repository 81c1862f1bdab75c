"""Verbatim quotes per theme: one per answer (grouping by meaning), or 2 to 6 that cover its variety.

Every quote is an exact substring of one answer: a point of a list answer, or for
a long point its sentence that carries the theme's concepts. Nothing is trimmed
inside, corrected or translated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

MAX_QUOTES = 6
MIN_QUOTES = 2
#: A point longer than this is quoted by its most relevant sentence.
LONG_POINT = 320
#: Two candidates this similar (cosine) are near-duplicates; only the first is quoted.
NEAR_DUPLICATE = 0.9
#: Maximal marginal relevance (``one_per_answer``): weight of centrality against difference from the quotes before.
MMR_LAMBDA = 0.5
#: Quotes of fewer words come last.
SHORT_WORDS = 4
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
#: (texts, langs) -> the set of codebook concepts found in each text
ConceptsOf = Callable[[list[str], list[str]], list[set[str]]]


@dataclass(frozen=True)
class Candidate:
    point: int  # index into the question's points
    contribution: int  # index of the contribution (answer) it comes from
    text: str
    lang: str


def n_quotes(support: int, available: int) -> int:
    """About one quote for two contributions, between 2 and 6, never more than there are."""
    wanted = min(MAX_QUOTES, max(MIN_QUOTES, math.ceil(support / 2)))
    return min(wanted, available)


def excerpt(text: str, lang: str, concepts: Sequence[str], concepts_of: ConceptsOf) -> str:
    """``text`` itself, or for a long text its sentence naming most of ``concepts`` (a substring of ``text``)."""
    if len(text) <= LONG_POINT:
        return text
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    if len(sentences) < 2:
        return text
    found = concepts_of(sentences, [lang] * len(sentences))
    scores = [len(set(concepts) & f) for f in found]
    return sentences[int(np.argmax(scores))]  # first on ties: the opening sentence usually states the point


def choose(
    members: Sequence[int],
    candidates: Sequence[Candidate],
    vectors: np.ndarray,
    support: int,
    wanted: int | None = None,
) -> list[int]:
    """Indices (into ``candidates``) of the quotes: central first, one per contribution and varied in language.

    ``vectors`` are unit-length rows, one per candidate; ``members`` the theme's candidates.
    """
    if not members:
        return []
    idx = np.asarray(members)
    centre = vectors[idx].mean(axis=0)
    scores = vectors[idx] @ centre
    # Central quotes first, but a two-word fragment ("Funding.") only when nothing fuller is left.
    short = np.array([len(candidates[int(i)].text.split()) < SHORT_WORDS for i in idx])
    order = [int(idx[k]) for k in np.lexsort((-scores, short))]
    distinct: list[int] = []
    for i in order:
        text = " ".join(candidates[i].text.casefold().split())
        if any(" ".join(candidates[j].text.casefold().split()) == text for j in distinct):
            continue
        if any(float(vectors[i] @ vectors[j]) > NEAR_DUPLICATE for j in distinct):
            continue
        distinct.append(i)
    wanted = min(wanted, len(distinct)) if wanted is not None else n_quotes(support, len(distinct))
    picked: list[int] = []
    # First pass: a new contribution and a new language each time; second: a new contribution; then anything.
    for rule in ("lang", "contribution", "any"):
        for i in distinct:
            if len(picked) >= wanted:
                break
            if i in picked:
                continue
            if rule != "any" and any(candidates[j].contribution == candidates[i].contribution for j in picked):
                continue
            if rule == "lang" and any(candidates[j].lang == candidates[i].lang for j in picked):
                continue
            picked.append(i)
    return sorted(picked, key=distinct.index)


def one_per_answer(candidates: Sequence[Candidate], vectors: np.ndarray) -> list[int]:
    """Indices of one candidate per answer, the quotes of a theme that quotes every answer, in reading order.

    An answer is quoted by its candidate nearest the theme's centre; answers are ordered by maximal
    marginal relevance (each next quote the one nearest the centre and least like the quotes before),
    so the first quotes are central *and* different. ``vectors``: unit rows, one per candidate.
    """
    if not len(candidates):
        return []
    centre = vectors.mean(axis=0)
    centrality = vectors @ (centre / (np.linalg.norm(centre) or 1.0))
    best: dict[int, int] = {}
    for k, c in enumerate(candidates):
        if c.contribution not in best or centrality[k] > centrality[best[c.contribution]]:
            best[c.contribution] = k
    pool, order = list(best.values()), []
    while pool:
        redundancy = {k: max((float(vectors[k] @ vectors[j]) for j in order), default=0.0) for k in pool}
        k = max(pool, key=lambda k: (MMR_LAMBDA * float(centrality[k]) - (1 - MMR_LAMBDA) * redundancy[k], -k))
        order.append(k)
        pool.remove(k)
    return order
