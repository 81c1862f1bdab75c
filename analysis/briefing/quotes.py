"""Verbatim quotes per theme: one per answer (grouping by meaning), or 2 to 6 that cover its variety.

Every quote is an exact substring of one answer: a point of a list answer, or for
a long point its sentence that carries the theme's concepts. Nothing is trimmed
inside, corrected or translated. Here too: a theme's candidate spans (``candidates_of``),
their TF-IDF vectors and the ``BriefingQuote`` made of a chosen span (``to_quote``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from analysis.briefing import i18n
from analysis.briefing.inputs import Contribution
from analysis.briefing.model import BriefingQuote
from analysis.briefing.subjects import Point
from analysis.factors import CORE_LANGUAGES

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
_NUMBERED = re.compile(r"(?:^|\s)\(?(?:\d{1,2}|[a-h])[).]\s")
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


def one_quote_each(points: list[Point], idx: list[int], contributions: list[Contribution], concepts: list[str],
                    embedder: Any, whole: bool = False,
                    heading: Sequence[str] = ()) -> list[tuple[int, str]]:  # fmt: skip
    """(point, verbatim text) of one quote per answer of the theme, central and varied (``quotes.one_per_answer``).

    Each answer's candidate spans (``candidates_of``; a long one by its sentence naming the theme's concepts)
    are embedded, so that centrality and difference are by meaning, across languages. An answer with a
    span naming a subject of the ``heading`` is quoted by such a span: its point nearest the centre could
    be another ("un rapport d'enquête clair…" quoted under "Code of conduct").
    """
    if whole:  # "other points": each answer by itself, not one of its points
        firsts = {points[i].contribution: i for i in reversed(idx)}
        candidates = [Candidate(i, c, contributions[c].answer.strip(), points[i].lang)
                      for c, i in sorted(firsts.items())]  # fmt: skip
    else:
        candidates, _ = candidates_of(points, idx, contributions)
    texts = [excerpt(c.text, c.lang, concepts[:3], concepts_of) for c in candidates]
    if heading and not whole:
        found = [bool(f & set(heading)) for f in concepts_of(texts, [c.lang for c in candidates])]
        naming = {c.contribution for c, f in zip(candidates, found, strict=True) if f}
        keep = [k for k, c in enumerate(candidates) if found[k] or c.contribution not in naming]
        candidates, texts = [candidates[k] for k in keep], [texts[k] for k in keep]
    order = one_per_answer(candidates, np.asarray(embedder.encode(texts), dtype=np.float64))
    return [(candidates[k].point, texts[k]) for k in order]


def candidates_of(points: list[Point], idx: list[int],
                contributions: list[Contribution]) -> tuple[list[Candidate], list[str]]:  # fmt: skip
    """One quote candidate per run of consecutive points of an answer in the theme (the span that covers them)."""
    runs: list[list[int]] = []
    for i in idx:
        if runs and runs[-1][-1] == i - 1 and points[i - 1].contribution == points[i].contribution:
            runs[-1].append(i)
        else:
            runs.append([i])
    candidates, texts = [], []
    for run in runs:
        first, last = points[run[0]], points[run[-1]]
        span = contributions[first.contribution].answer[first.start : last.start + len(last.text)]
        # One line, no list numbering inside: a quote reads as one statement, not "…; 2) …".
        one_statement = "\n" not in span and not _NUMBERED.search(span)
        if len(run) > 1 and len(span) <= LONG_POINT and one_statement:  # one line: a quote is one paragraph
            candidates.append(Candidate(run[0], first.contribution, span, first.lang))
            texts.append(" ".join(points[i].vector_text for i in run))
        else:
            for i in run:
                candidates.append(Candidate(i, points[i].contribution, points[i].text, points[i].lang))
                texts.append(points[i].vector_text)
    return candidates, texts


def to_quote(point: Point, text: str, contribution: Contribution, lang: str, concepts: list[str]) -> BriefingQuote:
    quote_lang = point.lang if point.lang in CORE_LANGUAGES else ""
    note = (i18n.s(lang, "in_lang").format(language=i18n.language_name(point.note_lang, lang))
            if point.note_lang and point.note_lang != lang else None)  # fmt: skip
    attributed = contribution.contributor if contribution.attributable and contribution.contributor else None
    return BriefingQuote(text=excerpt(text, point.lang, concepts[:3], concepts_of), lang=quote_lang, lang_note=note,
                         contributor=attributed)  # fmt: skip


def tfidf_vectors(docs: list[str]) -> np.ndarray:
    if len(docs) == 1:
        return np.ones((1, 1))
    matrix = TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True).fit_transform(docs)
    return normalize(matrix).toarray()


def concepts_of(texts: list[str], langs: list[str]) -> list[set[str]]:
    from analysis.features import analyse

    return [{h.concept for h in doc.hits} for doc in analyse(texts, langs)]
