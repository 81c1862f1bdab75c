"""Near-duplicates between labelled sets: a held-out answer must not restate a training or development one.

Two measures per pair of texts in the same language (translations of one meaning are
written in all four languages, so a restated group is found in each of them):

- **shingle containment**: the share of the shorter text's 5-word shingles (lower case,
  accents stripped) that the other text also has; a text of fewer than 5 words is one
  shingle of all its words;
- **character n-gram cosine**: TF-IDF over character 3-5-grams inside words (sublinear
  term frequency, fitted on both sides), cosine. The project has no sentence embeddings:
  this stands in for embedding similarity and finds a sentence reworded around the same
  stems ("goes down several times a week" / "goes down every week").

A pair is *close* when the shorter text has at least :data:`MIN_WORDS` words and either
the cosine reaches :data:`COSINE_THRESHOLD` or, for a shorter text of at least
:data:`CONTAINMENT_MIN_WORDS` words, the containment reaches :data:`SHINGLE_THRESHOLD`;
a *group* (one meaning in en, fr, es, pt) is close to another when the mean cosine of its
four translations reaches :data:`GROUP_THRESHOLD`. The thresholds sit just above the
closest pairs found between sets whose authors never saw each other's (analysis/data/README.md):
they catch copies and close rewrites, not an idea restated in other words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.nlp import normalise

SHINGLE = 5
#: Shorter texts ("No comment.", "salaries!!") recur in any set written independently: not compared.
MIN_WORDS = 5
#: Independent writers share stock phrases of 5-11 words ("memorando de entendimento com a câmara
#: de comércio"): containment counts from this length of the shorter text on.
CONTAINMENT_MIN_WORDS = 12
SHINGLE_THRESHOLD = 0.75
COSINE_THRESHOLD = 0.88
GROUP_THRESHOLD = 0.75
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Text:
    """One text of a set, with where it comes from (``file:line``) for the message."""

    text: str
    lang: str
    where: str
    group: str | None = None


@dataclass(frozen=True)
class Pair:
    ours: Text
    theirs: Text
    containment: float
    cosine: float


def words(text: str) -> tuple[str, ...]:
    """Lower-case words without accents (``"Déjà vu!"`` -> ``("deja", "vu")``)."""
    return tuple(_WORD.findall(normalise(text)))


def shingles(text_words: Sequence[str], n: int = SHINGLE) -> set[tuple[str, ...]]:
    return {tuple(text_words[i : i + n]) for i in range(len(text_words) - n + 1)}


def containment(a: Sequence[str], b: Sequence[str]) -> float:
    """Share of the shorter text's shingles found in the other (1.0: it is inside the other).

    A text of fewer than :data:`SHINGLE` words counts as one shingle of all its words.
    """
    short, other = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return 0.0
    n = min(SHINGLE, len(short))
    mine = shingles(short, n)
    return len(mine & shingles(other, n)) / len(mine)


def similarities(ours: Sequence[Text], theirs: Sequence[Text]) -> tuple[np.ndarray, np.ndarray]:
    """(containment, cosine) matrices of shape (len(ours), len(theirs)); 0 across languages."""
    contain = np.zeros((len(ours), len(theirs)))
    cosine = np.zeros((len(ours), len(theirs)))
    for lang in sorted({t.lang for t in ours} & {t.lang for t in theirs}):
        i = [k for k, t in enumerate(ours) if t.lang == lang]
        j = [k for k, t in enumerate(theirs) if t.lang == lang]
        vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, use_idf=False,
                                     preprocessor=normalise)  # fmt: skip
        matrix = vectoriser.fit_transform([ours[k].text for k in i] + [theirs[k].text for k in j])
        cosine[np.ix_(i, j)] = (matrix[: len(i)] @ matrix[len(i) :].T).toarray()
        contain[np.ix_(i, j)] = _containments([words(ours[k].text) for k in i], [words(theirs[k].text) for k in j])
    return contain, cosine


def _containments(ours: Sequence[Sequence[str]], theirs: Sequence[Sequence[str]]) -> np.ndarray:
    """:func:`containment` of every pair, by an index of the 5-word shingles (a set of thousands of texts
    against thousands shares few): only pairs where the shorter text has fewer than 5 words are compared
    one by one."""
    out = np.zeros((len(ours), len(theirs)))
    mine, their_shingles = [shingles(a) for a in ours], [shingles(b) for b in theirs]
    index: dict[tuple[str, ...], list[int]] = {}
    for col, found in enumerate(their_shingles):
        for shingle in found:
            index.setdefault(shingle, []).append(col)
    their_sizes = np.array([len(found) for found in their_shingles], dtype=float)
    their_lengths = np.array([len(b) for b in theirs])
    for row, a in enumerate(ours):
        shared = np.zeros(len(theirs))
        for shingle in mine[row]:
            for col in index.get(shingle, ()):
                shared[col] += 1
        # The shorter text (ours on a tie) is the denominator, as in containment().
        ours_shorter = len(a) <= their_lengths
        size = np.where(ours_shorter, len(mine[row]), their_sizes)
        out[row] = np.divide(shared, size, out=np.zeros(len(theirs)), where=size > 0)
        short = np.nonzero(np.minimum(len(a), their_lengths) < SHINGLE)[0]
        for col in short:  # a text of fewer than 5 words is one shingle of all its words
            out[row, col] = containment(a, theirs[col])
    return out


#: (containment, cosine) of ours against theirs, as :func:`similarities` returns them.
Similarities = tuple[np.ndarray, np.ndarray]


def close_pairs(ours: Sequence[Text], theirs: Sequence[Text], sims: Similarities | None = None) -> list[Pair]:
    """Every close pair (see the module's docstring), closest first; ``sims``: :func:`similarities` of the
    same texts when already computed (for :func:`close_groups` too)."""
    contain, cosine = sims if sims is not None else similarities(ours, theirs)
    shorter = np.minimum.outer([len(words(t.text)) for t in ours], [len(words(t.text)) for t in theirs])
    close = (shorter >= MIN_WORDS) & (
        (cosine >= COSINE_THRESHOLD) | ((shorter >= CONTAINMENT_MIN_WORDS) & (contain >= SHINGLE_THRESHOLD))
    )
    rows, cols = np.nonzero(close)
    pairs = [Pair(ours[r], theirs[c], round(float(contain[r, c]), 3), round(float(cosine[r, c]), 3))
             for r, c in zip(rows, cols, strict=True)]  # fmt: skip
    return sorted(pairs, key=lambda p: (-p.cosine, -p.containment))


def close_groups(ours: Sequence[Text], theirs: Sequence[Text],
                 sims: Similarities | None = None) -> list[tuple[str, str, float]]:  # fmt: skip
    """(our group, their group, mean cosine) for groups given in the same languages on both sides."""
    _, cosine = sims if sims is not None else similarities(ours, theirs)
    a, b = _groups(ours), _groups(theirs)
    found = []
    for ga, la in a.items():
        for gb, lb in b.items():
            if set(la) == set(lb) and len(la) > 1:
                mean = float(np.mean([cosine[la[lang], lb[lang]] for lang in la]))
                if mean >= GROUP_THRESHOLD:
                    found.append((ga, gb, round(mean, 3)))
    return sorted(found, key=lambda g: -g[2])


def _groups(texts: Sequence[Text]) -> dict[str, dict[str, int]]:
    """Index of each text by group and language (texts without a group are left out)."""
    out: dict[str, dict[str, int]] = {}
    for i, t in enumerate(texts):
        if t.group:
            out.setdefault(t.group, {})[t.lang] = i
    return out
