"""Character n-grams inside word boundaries, counted in numpy: the text pipeline's costliest step made cheap.

scikit-learn's ``TfidfVectorizer(analyzer="char_wb")`` slices every n-gram of every word into a
Python string and looks it up in a dict, one at a time: on answers of about 250 characters that was
a third of the text pipeline's time. :class:`CharNgramTfidf` fits exactly as that vectoriser does and
gives the same matrix at transform time, counting the n-grams with array operations instead:

- each character is replaced by its rank in the vocabulary's alphabet (1…A; 0 for a character no
  vocabulary n-gram holds), so an n-gram of up to five characters is one integer (12 bits per
  character, the first character in the highest bits), looked up in an open-addressing table of the
  vocabulary's numbers; the encoding is exact: two different n-grams never share a number;
- the texts are written one after the other as padded words (``" w1  w2 "``), so a window lies
  inside one padded word exactly when it holds no pair of spaces (the words hold no space), and an
  n-gram holding a character outside the alphabet is dropped (it cannot be in the vocabulary).

When the encoding cannot hold the vocabulary (more than 4,095 distinct characters, n-grams longer
than five, or options the fast path does not read) it falls back to scikit-learn's own transform.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

_BITS = 12  # per character: five characters fit a signed 64-bit integer
_MAX_N = 63 // _BITS
_CHUNK = 4096  # documents counted at once
_WHITE = re.compile(r"\s\s+")  # as scikit-learn's char_wb analyser collapses runs of white space


class CharNgramTfidf(TfidfVectorizer):
    """``TfidfVectorizer`` for ``analyzer="char_wb"`` whose ``transform`` counts n-grams in numpy (same matrix).

    Fitted state beyond the parent's: ``alphabet_`` (sorted code points of the vocabulary's characters),
    ``ngram_codes_`` (the vocabulary's n-grams as integer codes, in a hash table, -1 for an empty slot) and
    ``ngram_columns_`` (each slot's column); ``None`` when the fast path cannot apply, and then ``transform``
    is scikit-learn's.
    """

    def fit(self, raw_documents: Iterable[str], y=None) -> CharNgramTfidf:
        super().fit(raw_documents, y)
        self._index_vocabulary()
        return self

    def fit_transform(self, raw_documents: Iterable[str], y=None):
        matrix = super().fit_transform(raw_documents, y)
        self._index_vocabulary()
        return matrix

    def _fast_path_applies(self) -> bool:
        return (self.analyzer == "char_wb" and self.preprocessor is None and not self.strip_accents
                and not self.binary and self.input == "content" and self.ngram_range[0] >= 1
                and self.ngram_range[1] <= _MAX_N)  # fmt: skip

    def _index_vocabulary(self) -> None:
        self.alphabet_ = self.ngram_codes_ = self.ngram_columns_ = None
        if not self._fast_path_applies():
            return
        terms = list(self.vocabulary_)
        alphabet = np.array(sorted({ord(c) for term in terms for c in term}), dtype=np.int64)
        if len(alphabet) >= 2**_BITS:
            return
        rank = {chr(point): i + 1 for i, point in enumerate(alphabet.tolist())}
        codes = np.array([_code(term, rank) for term in terms], dtype=np.int64)
        columns = np.array([self.vocabulary_[term] for term in terms], dtype=np.int64)
        self.alphabet_ = alphabet
        self.ngram_codes_, self.ngram_columns_ = _hash_table(codes, columns)

    def transform(self, raw_documents: Iterable[str]):
        check_is_fitted(self, msg="The TF-IDF vectorizer is not fitted")
        if getattr(self, "ngram_codes_", None) is None or not hasattr(self, "_tfidf"):
            return super().transform(raw_documents)
        if isinstance(raw_documents, str):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        return self._tfidf.transform(self.counts(raw_documents), copy=False)

    def counts(self, raw_documents: Iterable[str]) -> sp.csr_matrix:
        """The (documents, vocabulary) count matrix ``CountVectorizer.transform`` gives, in array operations."""
        check_is_fitted(self, "ngram_codes_")
        padded = []
        for text in raw_documents:
            words = _WHITE.sub(" ", text.lower() if self.lowercase else text).split()
            padded.append(" " + "  ".join(words) + " " if words else "")
        # A few thousand answers at a time: the arrays hold several integers per character.
        parts = [self._padded_counts(padded[start : start + _CHUNK]) for start in range(0, len(padded), _CHUNK)]
        return sp.vstack(parts, format="csr") if len(parts) > 1 else (parts[0] if parts else self._padded_counts([]))

    def _padded_counts(self, padded: list[str]) -> sp.csr_matrix:
        lengths = np.fromiter((len(p) for p in padded), dtype=np.int64, count=len(padded))
        text_of = np.repeat(np.arange(len(padded)), lengths)
        chars = np.frombuffer("".join(padded).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        rank = np.searchsorted(self.alphabet_, chars)
        known = rank < len(self.alphabet_)
        known[known] = self.alphabet_[rank[known]] == chars[known]
        ids = np.where(known, rank + 1, 0)
        is_space = chars == ord(" ")
        # breaks[i] / holes[i]: word boundaries (two spaces in a row) / unknown characters among positions < i
        pair = np.zeros(len(chars), dtype=np.int64)
        pair[:-1] = is_space[:-1] & is_space[1:]
        unknown = (ids == 0).astype(np.int64)
        breaks = np.concatenate([[0], np.cumsum(pair)])
        holes = np.concatenate([[0], np.cumsum(unknown)])
        rows, cols = [], []
        low, high = self.ngram_range
        for n in range(low, high + 1):
            if len(chars) < n:
                break
            first = np.arange(len(chars) - n + 1)
            # inside one padded word: no space pair among its first n - 1 positions; every character known
            inside = (breaks[first + n - 1] == breaks[first]) & (holes[first + n] == holes[first])
            first = first[inside]
            code = np.zeros(len(first), dtype=np.int64)
            for j in range(n):
                code = (code << _BITS) | ids[first + j]
            at, hit = _look_up(self.ngram_codes_, code)
            rows.append(text_of[first[hit]])
            cols.append(self.ngram_columns_[at[hit]])
        row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        matrix = sp.csr_matrix((np.ones(len(row), dtype=self.dtype), (row, col)),
                               shape=(len(padded), len(self.vocabulary_)), dtype=self.dtype)  # fmt: skip
        matrix.sum_duplicates()
        matrix.sort_indices()
        return matrix


def _hash_table(codes: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Open addressing (linear probing) at a quarter full: a lookup is one or two gathers, where a binary
    search over the sorted codes took sixteen."""
    size = 1 << max(4, int(len(codes) * 4 - 1).bit_length())
    table, cols = np.full(size, -1, dtype=np.int64), np.full(size, -1, dtype=np.int64)
    slot = _slot(codes, size)
    pending = np.arange(len(codes))
    while len(pending):
        free = table[slot[pending]] == -1
        # several codes may claim one free slot in this round: the first of each keeps it
        claim, first = np.unique(slot[pending[free]], return_index=True)
        won = pending[free][first]
        table[claim], cols[claim] = codes[won], columns[won]
        placed = np.zeros(len(codes), dtype=bool)
        placed[won] = True
        pending = pending[~placed[pending]]
        slot[pending] = (slot[pending] + 1) & (size - 1)
    return table, cols


def _slot(codes: np.ndarray, size: int) -> np.ndarray:
    mixed = codes.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: high bits well mixed
    return (mixed >> np.uint64(64 - (size.bit_length() - 1))).astype(np.int64)


def _look_up(table: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(slot, found) of each code in ``table`` (:func:`_hash_table`); codes are never -1 (every one is > 0)."""
    at = _slot(codes, len(table))
    found = np.zeros(len(codes), dtype=bool)
    open_ = np.arange(len(codes))
    while len(open_):
        seen = table[at[open_]]
        found[open_[seen == codes[open_]]] = True
        open_ = open_[(seen != codes[open_]) & (seen != -1)]
        at[open_] = (at[open_] + 1) & (len(table) - 1)
    return at, found


def _code(term: str, rank: dict[str, int]) -> int:
    """``term``'s integer code: each character's rank in the alphabet (1…A), the first in the highest bits."""
    code = 0
    for char in term:
        code = (code << _BITS) | rank[char]
    return code
