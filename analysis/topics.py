"""``ThemeModel``: cross-lingual themes in free text with BERTopic, offline and light.

BERTopic as designed: sentence embeddings in, c-TF-IDF representation out. With ``embedder`` (an
``analysis.embeddings`` backend, e.g. the bundled multilingual-e5-small behind its cache) each
answer's own text is embedded, so an answer and its translation land close and themes span
languages by construction. Without one (no model to load: tests, ``CIPS_EMBEDDINGS=tfidf``, or a
campaign whose answers are not all embedded yet) BERTopic gets a scikit-learn pipeline (TF-IDF ->
TruncatedSVD -> unit length) over each answer's codebook concept ids ("c_training", weighted)
and lemmas, so "plus de formation" and "more training" still share most of their representation.

Either way an identity dimensionality reduction and KMeans (injectable through the constructor)
make the themes. A theme is named by the two codebook concepts most of its answers raise (counted, not
weighted by c-TF-IDF, whose IDF favours a rare concept over the one the theme shares), so labels are
codebook concept labels in the report language whatever the answers' languages; c-TF-IDF's top lemmas
(BERTopic's representation over the concept documents) name a theme whose answers raise no concept.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from bertopic import BERTopic
from bertopic.dimensionality import BaseDimensionalityReduction
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Normalizer
from sklearn.utils.validation import check_is_fitted

from analysis.errors import Errors
from analysis.factors import OTHER
from analysis.features import AnalysedText, analyse, load_codebook

#: Concept tokens are repeated so they outweigh language-specific lemmas.
CONCEPT_WEIGHT = 3
#: Two quotes this similar (cosine) are near-duplicates; only one is shown.
NEAR_DUPLICATE = 0.9
#: A language needs this many answers for its own mean vector to be removed (see
#: :func:`centre_languages`); a language with fewer has the mean of all answers removed.
MIN_LANGUAGE_ANSWERS = 5


@dataclass(frozen=True)
class Quote:
    text: str
    lang: str


@dataclass
class Theme:
    id: int
    label: str
    size: int
    languages: dict[str, int]
    top_concepts: list[str]
    factors: list[str]
    quotes: list[Quote] = field(default_factory=list)


class CappedSVD(BaseEstimator, TransformerMixin):
    """TruncatedSVD that fits small inputs too: components are capped below the vocabulary size.

    Twenty short answers may have fewer distinct words than the components asked for.
    """

    def __init__(self, n_components: int = 50, random_state: int = 0) -> None:
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X, y=None):
        k = min(self.n_components, X.shape[1] - 1, X.shape[0] - 1)
        self.svd_ = TruncatedSVD(n_components=k, random_state=self.random_state).fit(X) if k >= 2 else None
        return self

    def transform(self, X):
        check_is_fitted(self, "svd_")
        return self.svd_.transform(X) if self.svd_ is not None else np.asarray(X.todense())


def concept_document(doc: AnalysedText) -> str:
    """The text BERTopic sees: concept ids (weighted) and lemmas, space-separated."""
    concepts = [f"c_{hit.concept}" for hit in doc.hits for _ in range(CONCEPT_WEIGHT)]
    return " ".join([*concepts, *doc.terms]) or "empty_answer"


def language_means(vectors: np.ndarray, langs: Sequence[str]) -> dict[str | None, np.ndarray]:
    """Mean vector per language with at least :data:`MIN_LANGUAGE_ANSWERS` answers; ``None``: all answers."""
    codes = np.asarray(list(langs), dtype=object)
    means: dict[str | None, np.ndarray] = {None: vectors.mean(axis=0)}
    for lang in sorted(set(codes.tolist())):
        members = codes == lang
        if members.sum() >= MIN_LANGUAGE_ANSWERS:
            means[lang] = vectors[members].mean(axis=0)
    return means


def centre_languages(vectors: np.ndarray, langs: Sequence[str], means: dict[str | None, np.ndarray]) -> np.ndarray:
    """Each vector minus its language's mean, at unit length again.

    A multilingual sentence model still says which language a text is in: on the demo's 160 open
    answers (40 per language), KMeans on e5's raw vectors made clusters that matched the language
    (ARI 0.62 with 8 clusters) and not the RAD factor (0.00). With each language's mean removed,
    what is left is what answers say: ARI with the language 0.00, with the factor 0.13.
    """
    if not len(vectors):
        return vectors
    shifted = vectors - np.vstack([means.get(lang, means[None]) for lang in langs])
    norms = np.linalg.norm(shifted, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (shifted / norms).astype(np.float32)


def default_n_themes(n_docs: int) -> int:
    return int(np.clip(round(np.sqrt(n_docs / 2)), 2, 12)) if n_docs >= 4 else 1


class ThemeModel(BaseEstimator):
    """Themes of a set of answers, each with size, languages, concepts, label and quotes.

    ``fit(texts, langs=None)`` returns self; ``themes_`` holds the themes, largest
    first; ``labels_`` the theme id of each text; ``predict`` gives new answers a fitted
    theme. Same input, same themes.

    ``embedder``: an object with ``encode(texts) -> (n, d)`` unit rows (``analysis.embeddings``;
    a ``CachedEmbedder`` reads what it has already computed), or ``None`` for the concept
    TF-IDF pipeline (``embedding_model`` replaces that pipeline; it is ignored with an embedder).
    ``language_centring``: remove each language's mean embedding before clustering
    (:func:`centre_languages`), so themes follow what answers say rather than their language.
    """

    def __init__(self, n_themes: int | None = None, n_components: int = 50, n_quotes: int = 4,
                 label_lang: str = "en", embedding_model: Any = None, reduction_model: Any = None,
                 cluster_model: Any = None, codebook_path: str | None = None,
                 random_state: int = 0, embedder: Any = None, language_centring: bool = True) -> None:  # fmt: skip
        self.n_themes = n_themes
        self.n_components = n_components
        self.n_quotes = n_quotes
        self.label_lang = label_lang
        self.embedding_model = embedding_model
        self.reduction_model = reduction_model
        self.cluster_model = cluster_model
        self.codebook_path = codebook_path
        self.random_state = random_state
        self.embedder = embedder
        self.language_centring = language_centring

    def _components(self, n_docs: int) -> tuple[Any, Any, Any]:
        k = self.n_themes or default_n_themes(n_docs)
        embedding = self.embedding_model or Pipeline([
            ("tfidf", TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True)),
            ("svd", CappedSVD(n_components=self.n_components, random_state=self.random_state)),
            ("norm", Normalizer()),
        ])  # fmt: skip
        reduction = self.reduction_model or BaseDimensionalityReduction()
        cluster = self.cluster_model or KMeans(n_clusters=min(k, n_docs), n_init=4, random_state=self.random_state)
        return embedding, reduction, cluster

    def fit(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> ThemeModel:
        texts = [t if isinstance(t, str) else "" for t in texts]
        if len(texts) < 2:
            raise ValueError(Errors.E401.format(n_texts=len(texts)))
        docs = analyse(texts, langs, self.codebook_path)
        documents = [concept_document(d) for d in docs]
        embedding, reduction, cluster = self._components(len(docs))
        vectors = self._embed(embedding, texts, documents, [d.lang for d in docs], fit=True)
        if len({token for doc in documents for token in doc.split()}) < 2:
            # One word across every answer (e.g. the same answer repeated): one theme, and
            # nothing for c-TF-IDF to weigh (BERTopic fails on a one-word vocabulary).
            self.topic_model_ = None
            self.labels_ = np.zeros(len(documents), dtype=int)
            self.themes_ = self._describe(docs, vectors)
            return self
        # With precomputed embeddings BERTopic never calls its embedding model; the concept
        # pipeline is given anyway so that its own representation code has one to hold.
        topic_model = BERTopic(embedding_model=embedding, umap_model=reduction, hdbscan_model=cluster,
                               vectorizer_model=CountVectorizer(token_pattern=r"\S+"), top_n_words=10,
                               calculate_probabilities=False, verbose=False)  # fmt: skip
        labels, _ = topic_model.fit_transform(documents, embeddings=vectors)
        self.topic_model_ = topic_model
        self.labels_ = np.asarray(labels)
        # BERTopic renumbers clusters by size; keep the mapping so that ``predict`` can use
        # the fitted pipeline and clusterer directly (BERTopic's own transform needs hdbscan).
        self.embedding_ = embedding
        self.cluster_ = cluster
        self.topic_of_cluster_ = dict(zip(np.asarray(cluster.labels_).tolist(), self.labels_.tolist(), strict=True))
        self.themes_ = self._describe(docs, vectors)
        return self

    def _describe(self, docs: list[AnalysedText], vectors: np.ndarray) -> list[Theme]:
        codebook = load_codebook(self.codebook_path)
        themes = []
        for topic in sorted(set(self.labels_.tolist())):
            members = np.flatnonzero(self.labels_ == topic)
            hits = Counter(h.concept for i in members for h in {hh.concept: hh for hh in docs[i].hits}.values())
            concepts = [c for c, _ in hits.most_common(5)]
            factors = [f for f, _ in Counter(codebook.factor_of(c) for c in concepts).most_common()] or [OTHER]
            topic_words = self.topic_model_.get_topic(topic) if self.topic_model_ is not None else None
            words = [w for w, _ in (topic_words or []) if not w.startswith("c_")]
            themes.append(Theme(
                id=int(topic), label=self._label(concepts, words), size=len(members),
                languages=dict(Counter(docs[i].lang for i in members).most_common()),
                top_concepts=concepts, factors=factors, quotes=self._quotes(members, docs, vectors),
            ))  # fmt: skip
        themes.sort(key=lambda t: (-t.size, t.id))
        return themes

    def _label(self, concepts: list[str], words: list[str]) -> str:
        codebook = load_codebook(self.codebook_path)
        names = []
        for concept in concepts[:2]:
            names.append(codebook.concepts[concept].label(self.label_lang))
        return " · ".join(names or words[:3] or ["—"])

    def _quotes(self, members: np.ndarray, docs: list[AnalysedText], vectors: np.ndarray) -> list[Quote]:
        """Verbatim answers near the theme's centre, skipping near-duplicates, varied in language."""
        centre = vectors[members].mean(axis=0)
        order = members[np.argsort(-(vectors[members] @ centre), kind="stable")]
        chosen: list[int] = []
        for i in order:
            if not docs[i].text.strip():
                continue
            if any(float(vectors[i] @ vectors[j]) > NEAR_DUPLICATE for j in chosen):
                continue
            if docs[i].text.strip() in {docs[j].text.strip() for j in chosen}:
                continue
            chosen.append(int(i))
            if len(chosen) >= self.n_quotes * 3:
                break
        # Prefer language variety among the best candidates.
        picked: list[int] = []
        seen_langs: set[str] = set()
        for i in chosen:
            if docs[i].lang not in seen_langs and len(picked) < self.n_quotes:
                picked.append(i)
                seen_langs.add(docs[i].lang)
        for i in chosen:
            if len(picked) >= self.n_quotes:
                break
            if i not in picked:
                picked.append(i)
        picked.sort(key=chosen.index)
        return [Quote(docs[i].text, docs[i].lang) for i in picked]

    def _embed(self, pipeline: Any, texts: Sequence[str], documents: list[str], langs: list[str],
               fit: bool) -> np.ndarray:  # fmt: skip
        """The vectors clustered: the embedder's of the raw texts (centred per language), else the
        concept pipeline's."""
        if self.embedder is None:
            return np.asarray(pipeline.fit_transform(documents) if fit else pipeline.transform(documents))
        vectors = np.asarray(self.embedder.encode(list(texts)), dtype=np.float32)
        if not self.language_centring:
            return vectors
        if fit:
            self.language_means_ = language_means(vectors, langs)
        return centre_languages(vectors, langs, self.language_means_)

    def predict(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        """Theme id of new answers (scikit-learn's name for labels)."""
        check_is_fitted(self, ["topic_model_"])
        texts = [t if isinstance(t, str) else "" for t in texts]
        if self.topic_model_ is None:  # fitted on a single-theme corpus
            return np.zeros(len(texts), dtype=int)
        docs = analyse(texts, langs, self.codebook_path)
        documents = [concept_document(d) for d in docs]
        vectors = self._embed(self.embedding_, texts, documents, [d.lang for d in docs], fit=False)
        clusters = self.cluster_.predict(vectors)
        return np.asarray([self.topic_of_cluster_.get(int(c), -1) for c in clusters])

    def transform(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        """Deprecated alias of :meth:`predict` (it returns labels, not features); kept for one release."""
        warnings.warn("ThemeModel.transform is deprecated: use ThemeModel.predict", DeprecationWarning, stacklevel=2)
        return self.predict(texts, langs)


def themes_by_factor(texts: Sequence[str], labels: Sequence[Sequence[str]], langs: Sequence[str] | None = None,
                     min_answers: int = 5, **params: Any) -> dict[str, list[Theme]]:  # fmt: skip
    """Themes overall (key ``"all"``) and within each factor with at least ``min_answers`` answers."""
    from analysis.language import given_or_detected

    langs = given_or_detected(texts, langs)
    out = {"all": ThemeModel(**params).fit(texts, langs).themes_}
    by_factor: dict[str, list[int]] = {}
    for i, ls in enumerate(labels):
        for label in ls:
            by_factor.setdefault(label, []).append(i)
    for factor, idx in sorted(by_factor.items()):
        if len(idx) >= min_answers:
            out[factor] = ThemeModel(**params).fit([texts[i] for i in idx], [langs[i] for i in idx]).themes_
    return out
