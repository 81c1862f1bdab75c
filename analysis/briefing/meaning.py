"""Themes by meaning: the answers to one question grouped by what they say, across languages.

An editor reads each answer and groups answers by their main point. Here each answer is
represented by its sentence embedding (``analysis.embeddings``: multilingual-e5-small by
default, through the persistent cache, so each distinct answer is embedded once) beside the
codebook concepts it raises (TF-IDF over concept ids within the question, weighted by
``CONCEPT_WEIGHT``): e5 alone puts most answers to one question within a small distance of
each other, and the concepts, which the codebook spots in any of its languages, separate the
subjects an editor separates. Answers are clustered with Ward linkage; the number of themes
is the one with the best silhouette (the data decide it, as an editor's reading does). A
theme of more than ``MAX_THEME`` answers is split in two (Ward again) until none is: the
briefing quotes every answer once and at most ``MAX_QUOTES`` per theme. An answer alone in
its cluster shares its main point with no other: it goes to "other points" (``OTHER``), as
the editor of the theme benchmark did. An answer and its translation embed close and raise
the same concepts, so themes merge languages by construction.

Tuned on development questions of the theme benchmark only (``analysis/data/themes``, all four
questions since q3-q4 were retired; ``python -m analysis.evaluate_themes --tune`` scores the grid of
:class:`Settings` and chooses by leaving one question out; README, "Themes by meaning: measured").
Average linkage agreed more with the editor there but was not adopted: on a small question it
pulls unrelated answers into a theme with an answer's translations (the cross-language test).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

from analysis.briefing.quotes import MAX_QUOTES
from analysis.embeddings import CachedEmbedder, Embedder, get_embedder

#: The label of answers that share their main point with no other answer ("other points").
OTHER = -1
#: Weight of the concept block beside the (unit) e5 vector; tuned (see the module docstring).
CONCEPT_WEIGHT = 0.5
#: The linkage of the clustering; tuned.
LINKAGE: Literal["ward", "average"] = "ward"
#: About one theme per this many answers to a question; 0: the number with the best silhouette. Tuned.
ANSWERS_PER_THEME = 0.0
#: A theme holds at most this many answers, so that every one of them can be quoted.
MAX_THEME = MAX_QUOTES
#: The fewest themes tried when choosing their number by silhouette.
MIN_THEMES = 3
#: Questions with fewer answers than this are not clustered: each answer is its own point.
MIN_ANSWERS = 4


@dataclass(frozen=True)
class Settings:
    """How answers are represented and clustered; the defaults are the tuned ones (README, "measured").

    ``unit``: an answer is embedded whole (``answer``), or as the mean of its points' embeddings
    (``points``, ``analysis.segment.split_points``) or of its sentences' (``sentences``), where its main
    point (``main``: the longest, or the one nearest the answer's mean) counts ``1 + main_weight`` times.
    ``centre``: the question's mean embedding is subtracted first (what all answers to it share).
    ``themes``: 0 chooses the number of themes by silhouette, else ``n / themes`` (at least ``MIN_THEMES``).
    ``pairs``: with the embedder the pair model of ``pair_file`` was fitted with, group by its
    p(same theme) (``analysis.briefing.pairs``) instead; the other settings then apply to other embedders
    only. The default since the fourth benchmark's look (README, "Held out: the fourth theme benchmark").
    ``pair_file``: the pair model's file, under ``analysis/data``. ``pair_max``: with the pair model, a
    theme of more answers is split along its tree (at most ``MAX_THEME``, which quoting every answer
    once needs; smaller cuts large themes finer).
    """

    concept_weight: float = CONCEPT_WEIGHT
    linkage: Literal["ward", "average"] = LINKAGE
    themes: float = ANSWERS_PER_THEME
    centre: bool = False
    unit: Literal["answer", "points", "sentences"] = "answer"
    main: Literal["longest", "central"] = "longest"
    main_weight: float = 0.0
    pairs: bool = False
    pair_file: str = "theme_pairs.json"
    pair_max: int = MAX_THEME
    points_grab_bags: bool = False

    def __post_init__(self) -> None:
        if not 2 <= self.pair_max <= MAX_THEME:  # a theme's every answer is quoted, at most MAX_QUOTES
            raise ValueError(f"pair_max: {self.pair_max} is not between 2 and {MAX_THEME}")

    def pair_model(self) -> Any:
        """The shipped pair model of ``pair_file`` (``pairs.Shipped``), or None when absent or unusable."""
        from analysis.briefing import pairs

        return pairs.shipped(pairs.MODEL_FILE.parent / self.pair_file)

    def describe(self, backend: str | None = None) -> str:
        """One line for the output and the ledger; with ``backend``, of the grouping used with that embedder."""
        unit = self.unit if self.unit == "answer" else f"mean of {self.unit}, {self.main} x{1 + self.main_weight:g}"
        themes = "silhouette" if not self.themes else f"n/{self.themes:g}"
        centred = ", centred" if self.centre else ""
        # Whichever grouping runs, the briefing applies the second pass after it: both descriptions say so.
        second = ", second grab-bag pass" if self.points_grab_bags else ""
        ward = f"{self.linkage}, {themes}, concept weight {self.concept_weight:g}, {unit}{centred}, max {MAX_THEME}"
        ward += second
        if not self.pairs:
            return ward
        from analysis.briefing import pairs

        model = self.pair_model()
        if model is None or (backend is not None and backend != model.backend):
            return ward
        learned = (f"learned pairs (threshold {model.threshold:g}, {model.backend}), {pairs.LINKAGE}, "
                   f"max {self.pair_max}, {self.pair_file}{second}")  # fmt: skip
        return learned if backend else f"{learned}; other embedders: {ward}"


#: The Ward/concept grouping: what an embedder other than the pair model's groups with, and what ``--tune`` varies.
WARD = Settings()
#: The learned pair model (with its embedder), chosen on development q1-q12 and confirmed on the fourth
#: theme benchmark's look, where it was declared beforehand (README, "Held out: the fourth theme benchmark");
#: without the briefing's second grab-bag pass since the seventh look (README, "Declared for the seventh look").
DEFAULT = Settings(pairs=True)
#: Declared for the fifth theme benchmark's look: the pair model refitted on development q1-q16
#: (``theme_pairs16.json``), themes of at most five answers (README, "Declared for the fifth look").
PAIRS16 = Settings(pairs=True, pair_file="theme_pairs16.json", pair_max=5)
#: The default until the seventh look: the briefing's second grab-bag pass on (``points_grab_bags``).
TWO_PASS = Settings(pairs=True, points_grab_bags=True)
#: Settings chosen by name (``python -m analysis.evaluate_themes --settings NAME``).
NAMED: dict[str, Settings] = {"default": DEFAULT, "ward": WARD, "pairs16": PAIRS16, "two-pass": TWO_PASS}


def default_embedder(name: str | None = None) -> CachedEmbedder:
    """The configured embedder (``name``, else ``$CIPS_EMBEDDINGS``, else e5) behind the shared cache."""
    return CachedEmbedder(get_embedder(name))


class ProgressEmbedder:
    """A cached embedder that reports, over a whole briefing, the texts it must compute (none from the cache).

    A briefing embeds per question and per theme; one bar (tqdm on stderr with ``progress``, tqdm's
    defaults) and one ``on_progress(done, total)`` cover them all, ``total`` growing as each call
    finds texts never embedded: a 2,000-answer file takes minutes with e5 and shows it is working.
    """

    def __init__(self, embedder: CachedEmbedder, progress: bool = False,
                 on_progress: Callable[[int, int], None] | None = None) -> None:  # fmt: skip
        self.embedder = embedder
        self.progress = progress
        self.on_progress = on_progress
        self.done = self.total = 0
        self._bar: Any = None

    def _advance(self, n: int) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        if self.on_progress is not None:
            self.on_progress(self.done, self.total)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        todo = len(self.embedder.missing(texts))
        if todo:
            self.total += todo
            if self.progress and self._bar is None:
                from tqdm import tqdm

                self._bar = tqdm(total=self.total, unit="text", desc="embedding answers")
            elif self._bar is not None:
                self._bar.total = self.total
                self._bar.refresh()
        return self.embedder.encode(texts, on_batch=self._advance)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def answer_vectors(embedded: np.ndarray, concepts: Sequence[Iterable[str]],
                   weight: float = CONCEPT_WEIGHT) -> np.ndarray:  # fmt: skip
    """Unit rows: each answer's embedding beside ``weight`` times its concepts' TF-IDF within the question."""
    embedded = np.asarray(embedded, dtype=np.float64)
    docs = [" ".join(sorted(set(c))) for c in concepts]
    if weight > 0 and any(docs):
        tfidf = TfidfVectorizer(token_pattern=r"\S+", lowercase=False).fit_transform(docs)
        embedded = np.hstack([embedded, weight * normalize(tfidf).toarray()])
    return normalize(embedded)


def _ward(vectors: np.ndarray, k: int, tree: np.ndarray | None = None) -> np.ndarray:
    tree = linkage(vectors, method="ward") if tree is None else tree
    return fcluster(tree, t=k, criterion="maxclust") - 1


def _best_k(vectors: np.ndarray, settings: Settings = DEFAULT) -> np.ndarray:
    """Labels for the number of clusters with the best silhouette (the fewest on ties), or ``n / settings.themes``."""
    n = len(vectors)
    tree = linkage(vectors, method=settings.linkage)
    low = min(MIN_THEMES, n - 1)
    if settings.themes:
        return _ward(vectors, min(n - 1, max(low, round(n / settings.themes))), tree)
    best: tuple[float, np.ndarray] | None = None
    for k in range(low, max(low + 1, n // 2)):
        labels = _ward(vectors, k, tree)
        if len(set(labels.tolist())) < 2:
            continue
        score = float(silhouette_score(vectors, labels))
        if best is None or score > best[0]:
            best = (score, labels)
    return best[1] if best is not None else np.zeros(n, dtype=int)


def cluster_answers(vectors: np.ndarray, max_theme: int = MAX_THEME, settings: Settings = DEFAULT) -> np.ndarray:
    """Theme of each row: 0, 1, … by first appearance, ``OTHER`` for a row alone in its cluster."""
    n = len(vectors)
    if n < MIN_ANSWERS:
        return np.full(n, OTHER)
    raw = _best_k(np.asarray(vectors, dtype=np.float64), settings)
    return quotable_themes(raw, lambda idx: _ward(vectors[idx], 2), max_theme)


def quotable_themes(raw: np.ndarray, halve: Callable[[np.ndarray], np.ndarray], max_theme: int = MAX_THEME,
                    ) -> np.ndarray:  # fmt: skip
    """Clusters -> themes 0, 1, … by first appearance, ``OTHER`` for a row alone in its cluster, none
    of more than ``max_theme`` rows (so that every answer of a theme can be quoted).

    A cluster too large is cut in two by ``halve(rows)`` (0/1 per row, along the cluster's own tree),
    again until none is too large; when its tree cannot split it (identical answers, tied
    distances) its rows are halved in order.
    """
    raw = raw.copy()
    queue = list(dict.fromkeys(raw.tolist()))
    next_label = int(raw.max()) + 1
    while queue:
        c = queue.pop()
        idx = np.flatnonzero(raw == c)
        if len(idx) > max_theme:
            halves = halve(idx)
            if halves.min() == halves.max():
                halves = (np.arange(len(idx)) >= len(idx) // 2).astype(int)
            raw[idx[halves == 1]] = next_label
            queue += [c, next_label]
            next_label += 1
    sizes = np.bincount(raw)
    labels = np.full(len(raw), OTHER)
    renumber: dict[int, int] = {}
    for i, c in enumerate(raw):
        if sizes[c] >= 2:
            labels[i] = renumber.setdefault(int(c), len(renumber))
    return labels


def without_grab_bags(labels: np.ndarray, concepts: Sequence[Iterable[str]]) -> np.ndarray:
    """``labels`` with every theme whose answers share no subject moved to ``OTHER`` ("other points").

    A theme whose answers raise codebook concepts, none of them raised by two of its answers, would be
    headed by a list of subjects each raised once ("Voies de recours (1), évaluation des agents (1), …,
    autres sujets (1)"): its answers share no main point that can be named, and an editor lists them
    under "other points". A theme whose answers raise no concept at all is kept (the embedding alone
    put them together; nothing says they differ). ``concepts`` are the answers' own; the briefing can
    apply the rule again with its points' (``Settings.points_grab_bags``, off by default: a theme whose
    answers share a subject but whose points do not then stays, headed by the list of its subjects).
    """
    labels = np.asarray(labels).copy()
    sets = [set(c) - {"no_comment"} for c in concepts]
    for theme in set(labels.tolist()) - {OTHER}:
        members = np.flatnonzero(labels == theme)
        raised = Counter(c for k in members for c in sets[k])
        if raised and max(raised.values()) < 2:
            labels[members] = OTHER
    return labels


def embed_answers(texts: Sequence[str], embedder: Embedder | CachedEmbedder,
                  settings: Settings = DEFAULT) -> np.ndarray:  # fmt: skip
    """One unit row per answer: its embedding, or the weighted mean of its points' (``settings.unit``)."""
    if settings.unit == "answer":
        embedded = np.asarray(embedder.encode(list(texts)), dtype=np.float64)
    else:
        from analysis.segment import split_points

        parts = [split_points(t, sentences=settings.unit == "sentences") or [t] for t in texts]
        flat = np.asarray(embedder.encode([p for ps in parts for p in ps]), dtype=np.float64)
        rows, start = [], 0
        for ps in parts:
            block, start = flat[start : start + len(ps)], start + len(ps)
            mean = block.mean(axis=0)
            main = int(np.argmax([len(p) for p in ps])) if settings.main == "longest" else int(np.argmax(block @ mean))
            rows.append(mean + settings.main_weight * block[main] / len(ps))
        embedded = np.array(rows)
    if settings.centre and len(embedded) > 1:
        embedded = embedded - embedded.mean(axis=0)
    return normalize(embedded)


def answer_concepts(texts: Sequence[str], langs: Sequence[str]) -> list[set[str]]:
    """The codebook concepts each answer raises: what :func:`answer_vectors` weighs beside its embedding."""
    from analysis.features import analyse

    return [{h.concept for h in doc.hits} for doc in analyse(list(texts), list(langs))]


def group_answers(texts: Sequence[str], langs: Sequence[str], embedder: Embedder | CachedEmbedder | None = None,
                  settings: Settings = DEFAULT, concepts: Sequence[set[str]] | None = None) -> np.ndarray:  # fmt: skip
    """The theme of each answer to one question (``OTHER`` when it shares its main point with no other).

    ``embedder`` defaults to the configured one behind the shared cache (:func:`default_embedder`);
    ``concepts``, the answers' :func:`answer_concepts` when the caller has them already.
    """
    if not texts:
        return np.zeros(0, dtype=int)
    embedder = embedder or default_embedder()
    concepts = list(concepts) if concepts is not None else answer_concepts(texts, langs)
    if settings.pairs and len(texts) >= MIN_ANSWERS:
        learned = _learned(texts, concepts, embedder, settings)
        if learned is not None:
            return without_grab_bags(learned, concepts)
    vectors = answer_vectors(embed_answers(texts, embedder, settings), concepts, settings.concept_weight)
    return without_grab_bags(cluster_answers(vectors, settings=settings), concepts)


def _learned(texts: Sequence[str], concepts: list[set[str]], embedder: Embedder | CachedEmbedder,
             settings: Settings) -> np.ndarray | None:  # fmt: skip
    """Themes by the shipped pair model, or ``None`` when it was not fitted with this embedder."""
    from analysis.briefing import pairs

    model = settings.pair_model()
    if model is None or getattr(getattr(embedder, "embedder", embedder), "backend", None) != model.backend:
        return None
    inputs = pairs.pair_inputs(texts, concepts, embedder)
    if inputs.answers.shape[1] != model.dim:
        return None
    pair_index, x = pairs.pair_features(inputs)
    p = model.model.predict_proba(x[:, : model.cols])[:, 1]
    return pairs.cluster_pairs(len(texts), pair_index, p, model.threshold, settings.pair_max)
