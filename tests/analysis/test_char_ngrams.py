"""CharNgramTfidf: scikit-learn's char_wb TF-IDF, counted in numpy, gives the very same matrix."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.char_ngrams import CharNgramTfidf
from analysis.nlp import normalise

SETTING = {"analyzer": "char_wb", "ngram_range": (3, 5), "min_df": 2, "sublinear_tf": True, "max_features": 60000}
ODD = ["", "   ", "a", "ab", "abc", "a b  c\t\nd", "x" * 12, "ñandú señor", "élan\u00a0vital", "日本語のテキスト",
       "tab\there", "UPPER Case Words", "punctuation!!! (here) -- and; there...", "1234 5678 90"]  # fmt: skip


def _same(a, b) -> None:
    assert a.shape == b.shape and type(a) is type(b)
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert np.allclose(a.data, b.data, rtol=0, atol=1e-12)


def test_char_ngrams_give_scikit_learns_matrix(corpus) -> None:
    texts = [normalise(e.text) for e in corpus]
    ours, theirs = CharNgramTfidf(**SETTING).fit(texts), TfidfVectorizer(**SETTING).fit(texts)
    assert ours.vocabulary_ == theirs.vocabulary_ and ours.ngram_codes_ is not None
    probe = texts[:500] + ODD + [e.text for e in corpus[:50]]  # raw texts too: upper case, accents
    _same(ours.transform(probe), theirs.transform(probe))
    _same(ours.fit_transform(texts), theirs.fit_transform(texts))


@pytest.mark.parametrize("setting", [{"ngram_range": (1, 3)}, {"ngram_range": (2, 5), "lowercase": False},
                                     {"ngram_range": (3, 5), "norm": None, "sublinear_tf": False}])  # fmt: skip
def test_char_ngrams_other_settings_give_scikit_learns_matrix(corpus, setting) -> None:
    texts = [e.text for e in corpus[::3]]
    ours, theirs = (
        CharNgramTfidf(analyzer="char_wb", **setting).fit(texts),
        TfidfVectorizer(analyzer="char_wb", **setting).fit(texts),
    )
    assert ours.ngram_codes_ is not None
    _same(ours.transform(texts[:200] + ODD), theirs.transform(texts[:200] + ODD))


@pytest.mark.parametrize("setting", [{"ngram_range": (3, 6)}, {"strip_accents": "unicode"}, {"binary": True}])
def test_char_ngrams_fall_back_to_scikit_learn_outside_the_fast_path(corpus, setting) -> None:
    texts = [e.text for e in corpus[::5]]
    ours = CharNgramTfidf(analyzer="char_wb", **setting).fit(texts)
    assert ours.ngram_codes_ is None  # scikit-learn's own transform
    _same(
        ours.transform(texts[:100] + ODD),
        TfidfVectorizer(analyzer="char_wb", **setting).fit(texts).transform(texts[:100] + ODD),
    )


def test_char_ngrams_survive_pickling_and_refuse_a_bare_string(corpus) -> None:
    texts = [e.text for e in corpus[::4]]
    fitted = pickle.loads(pickle.dumps(CharNgramTfidf(**SETTING).fit(texts)))
    _same(fitted.transform(texts[:50]), TfidfVectorizer(**SETTING).fit(texts).transform(texts[:50]))
    with pytest.raises(ValueError, match="Iterable over raw text documents"):
        fitted.transform("one answer, not a list")


def test_char_ngrams_counted_in_chunks_give_the_same_matrix(corpus, monkeypatch) -> None:
    import analysis.char_ngrams

    texts = [e.text for e in corpus[::2]]
    fitted = CharNgramTfidf(**SETTING).fit(texts)
    whole = fitted.transform(texts)
    monkeypatch.setattr(analysis.char_ngrams, "_CHUNK", 97)
    _same(fitted.transform(texts), whole)
