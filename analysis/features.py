"""From raw answers to feature matrices: analysis once, then a ``FeatureUnion``.

``analyse`` runs the expensive part once per text (language, spaCy lemmas,
codebook hits); the feature transformers below only read its result, so
cross-validation never re-runs spaCy.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from analysis.char_ngrams import CharNgramTfidf
from analysis.codebook import Codebook, Hit
from analysis.language import given_or_detected
from analysis.nlp import KEEP, normalise, terms


@dataclass(frozen=True)
class AnalysedText:
    text: str
    lang: str
    terms: tuple[str, ...]
    hits: tuple[Hit, ...]


@lru_cache(maxsize=4)
def load_codebook(path: str | None = None) -> Codebook:
    return Codebook.load(path)


#: Analysed answers by (text, language, codebook): a report classifies answers and then
#: finds themes in the same answers, and spaCy should run once per answer, not twice.
_ANALYSED: OrderedDict[tuple[str, str, str | None], AnalysedText] = OrderedDict()
_ANALYSED_MAX = 200_000


def analyse(
    texts: Sequence[str], langs: Sequence[str] | None = None, codebook_path: str | None = None
) -> list[AnalysedText]:
    """Language, normalised lemmas and codebook hits of each text (memoised)."""
    langs = given_or_detected(texts, langs)  # "FR", "fr-FR": the same pipeline and codebook terms as "fr"
    keys = [(text, lang, codebook_path) for text, lang in zip(texts, langs, strict=True)]
    missing = list(dict.fromkeys(k for k in keys if k not in _ANALYSED))
    if missing:
        codebook = load_codebook(codebook_path)
        words = terms([k[0] for k in missing], [k[1] for k in missing])
        for key, ws in zip(missing, words, strict=True):
            _ANALYSED[key] = AnalysedText(key[0], key[1], tuple(ws), tuple(codebook.match_terms(ws)))
    result = [_ANALYSED[k] for k in keys]
    while len(_ANALYSED) > _ANALYSED_MAX:
        _ANALYSED.popitem(last=False)
    return result


def forget_analyses() -> None:
    """Empty the memo of analysed texts (a benchmark round must analyse its answers afresh)."""
    _ANALYSED.clear()


# Module-level functions (not lambdas) so fitted pipelines pickle.
def concept_counts(docs: Sequence[AnalysedText]) -> list[dict[str, float]]:
    out = []
    for doc in docs:
        counts: Counter[str] = Counter()
        for hit in doc.hits:
            counts[f"c:{hit.concept}"] = 1
            counts[f"f:{hit.factor}"] += 1
        out.append(dict(counts))
    return out


#: Negation and quantity words are kept so that codebook phrases ("fewer documents") can
#: match; as lemma n-grams they are near-universal function words and only add noise.
_KEPT_LEMMAS = frozenset(lemma for words in KEEP.values() for lemma in words.values())


def lemma_tokens(doc: AnalysedText) -> list[str]:
    words = [w for w in doc.terms if w not in _KEPT_LEMMAS]
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def normalised_text(docs: Sequence[AnalysedText]) -> list[str]:
    # ``normalise`` unmemoised: its memo is for words, which recur; whole answers do not.
    return [normalise.__wrapped__(doc.text) for doc in docs]


class Scale(BaseEstimator, TransformerMixin):
    """Multiply a feature block by a constant (weights the codebook against n-grams)."""

    def __init__(self, factor: float = 1.0) -> None:
        self.factor = factor

    def fit(self, X, y=None):
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True  # stateless

    def transform(self, X):
        return X * self.factor


def build_features(
    concept_weight: float, char_ngrams: bool, lemma_ngrams: bool, codebook_path: str | None
) -> FeatureUnion:
    blocks: list[tuple[str, object]] = [
        ("concepts", Pipeline([
            ("counts", FunctionTransformer(concept_counts)),
            ("vec", DictVectorizer()),
            ("weight", Scale(concept_weight)),
        ])),
    ]  # fmt: skip
    if lemma_ngrams:
        blocks.append(("lemmas", TfidfVectorizer(analyzer=lemma_tokens, min_df=2, sublinear_tf=True)))
    if char_ngrams:
        blocks.append(("chars", Pipeline([
            ("text", FunctionTransformer(normalised_text)),
            ("tfidf", CharNgramTfidf(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                                     max_features=60000)),
        ])))  # fmt: skip
    return FeatureUnion(blocks)


def feature_names(union: FeatureUnion) -> list[str]:
    """Names of the union's columns, in order, prefixed by block (``concepts:c:training``)."""
    names: list[str] = []
    for block, transformer in union.transformer_list:
        last = transformer.steps[-1][1] if isinstance(transformer, Pipeline) else transformer
        if isinstance(last, Scale):
            last = transformer.named_steps["vec"]
        names.extend(f"{block}:{name}" for name in last.get_feature_names_out())
    return names
