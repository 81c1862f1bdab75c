"""Cross-lingual neighbours' say in the primary (FactorClassifier ``neighbours``), with a fake embedder."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from analysis.classify import LABELS, FactorClassifier
from analysis.embedding_block import NeighbourPrimaries, top_k_columns
from tests.analysis.test_embedding_block import FakeEmbedder

PROBE = "Plus de formation et de rotation des agents aux frontières."


class PinnedEmbedder(FakeEmbedder):
    """FakeEmbedder, except that some texts are given the vector of another text."""

    def __init__(self, pinned: dict[str, str]) -> None:
        super().__init__()
        self.pinned = pinned

    def encode(self, texts):
        return super().encode([self.pinned.get(t, t) for t in texts])


def test_neighbours_are_off_by_default() -> None:
    params = FactorClassifier().get_params()
    assert params["neighbours"] == 0 and "neighbours_weight" in params


def test_neighbour_shares_read_only_answers_in_other_languages() -> None:
    vectors = np.array([[1, 0, 0], [0.8, 0.6, 0], [1, 0, 0], [0, 0, 1]], dtype=float)
    finder = NeighbourPrimaries(k=2).fit(vectors, ["en", "en", "fr", "fr"], np.array([3, 5, 7, -1]), len(LABELS))
    shares = finder.shares(np.array([[1.0, 0, 0], [1.0, 0, 0]]), ["fr", "en"])
    # The French probe is identical to the French answer (primary 7) but sees only the English ones.
    assert shares[0, 7] == 0 and shares[0, 3] == pytest.approx(1 / 1.8) and shares[0, 5] == pytest.approx(0.8 / 1.8)
    # The English probe sees the French answers; the one without a known primary is not a neighbour.
    assert shares[1, 7] == pytest.approx(1.0)
    assert shares.sum(axis=1) == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize("columns", [7, 200, 5_601])
def test_neighbours_top_k_columns_are_the_k_largest_of_each_row(columns: int) -> None:
    rng = np.random.default_rng(columns)
    values = rng.standard_normal((300, columns)).astype(np.float32)
    values[:5, :] = -np.inf  # a row with no candidate at all
    values[5:10, 3:] = -np.inf  # rows with fewer finite values than k
    values[10:20, rng.integers(0, columns, 40)] = -np.inf
    k = min(20, columns)
    chosen = top_k_columns(values, k)
    assert chosen.shape == (300, k) and (chosen >= 0).all() and (chosen < columns).all()
    expected = np.sort(np.sort(values, axis=1)[:, -k:], axis=1)
    assert np.array_equal(np.sort(np.take_along_axis(values, chosen, axis=1), axis=1), expected)
    assert all(len(set(row)) == k for row in chosen[10:])  # no column twice where k finite values exist


def test_neighbour_shares_of_an_unseen_language_read_every_answer() -> None:
    vectors = np.array([[1, 0, 0], [0.8, 0.6, 0]], dtype=float)
    finder = NeighbourPrimaries(k=2).fit(vectors, ["en", "fr"], np.array([3, 5]), len(LABELS))
    shares = finder.shares(np.array([[1.0, 0, 0]]), ["de"])
    assert shares[0, 3] == pytest.approx(1 / 1.8) and shares[0, 5] == pytest.approx(0.8 / 1.8)


def test_the_neighbours_in_other_languages_can_decide_the_primary(corpus) -> None:
    small = corpus[::6]
    audit_en = next(e.text for e in small if e.lang == "en" and e.primary == "audit")
    hrm_fr = next(e.text for e in small if e.lang == "fr" and e.primary == "hrm")
    # The probe (about training and rotation, in French) sits on an English audit answer, and on a French hrm one.
    embedder = PinnedEmbedder({PROBE: audit_en, hrm_fr: audit_en})

    def fit(**params) -> FactorClassifier:
        return FactorClassifier(cv=3, embeddings=embedder, embeddings_center=True, **params).fit(
            [e.text for e in small], [list(e.labels) for e in small], langs=[e.lang for e in small])  # fmt: skip

    without = fit()
    assert without.neighbours_ is None
    assert without.predict_primary([PROBE], ["fr"]) != ["audit"]
    with_neighbours = fit(neighbours=1, neighbours_weight=100.0)
    assert isinstance(with_neighbours.neighbours_, NeighbourPrimaries)
    assert with_neighbours.predict_primary([PROBE], ["fr"]) == ["audit"]
    assert not hasattr(clone(with_neighbours), "neighbours_")


def test_neighbours_need_embeddings(corpus) -> None:
    small = corpus[::12]
    with pytest.raises(ValueError, match="neighbours needs embeddings"):
        FactorClassifier(cv=2, neighbours=5).fit([e.text for e in small], [list(e.labels) for e in small])


def test_neighbours_without_a_primary_chooser_are_not_used_and_say_so(corpus) -> None:
    small = corpus[::6]
    with pytest.warns(UserWarning, match="neighbours are not used"):
        model = FactorClassifier(cv=3, embeddings=FakeEmbedder(), primary_chooser=False, neighbours=5).fit(
            [e.text for e in small], [list(e.labels) for e in small], langs=[e.lang for e in small])  # fmt: skip
    assert model.chooser_ is None and model.neighbours_ is None


def test_the_neighbours_say_is_scaled_down_for_a_short_answer(corpus) -> None:
    small = corpus[::6]
    audit_en = next(e.text for e in small if e.lang == "en" and e.primary == "audit")
    short = "Plus de formation."  # three words, sitting on an English audit answer
    model = FactorClassifier(cv=3, embeddings=PinnedEmbedder({short: audit_en, PROBE: audit_en}),
                             embeddings_center=True, neighbours=1, neighbours_weight=100.0).fit(
        [e.text for e in small], [list(e.labels) for e in small], langs=[e.lang for e in small])  # fmt: skip
    assert FactorClassifier().get_params()["neighbours_words"] == 0  # off by default
    full_say = model._all_proba([short, PROBE], ["fr", "fr"])[3]
    assert model.predict_primary([short, PROBE], ["fr", "fr"]) == ["audit", "audit"]

    model.set_params(neighbours_words=6)  # read when predicting: no refit
    say = model._all_proba([short, PROBE], ["fr", "fr"])[3]
    assert say[0] == pytest.approx(full_say[0] * 3 / 6)
    assert say[1] == pytest.approx(full_say[1])  # ten words: not short, its neighbours keep their full say
    model.set_params(neighbours_words=10_000)
    assert model.predict_primary([short, PROBE], ["fr", "fr"])[0] != "audit"


def test_neighbour_shares_match_a_brute_force_reading_by_language() -> None:
    rng = np.random.default_rng(3)
    train = rng.standard_normal((400, 16))
    train_langs = list(rng.choice(["en", "fr", "es", "pt"], 400))
    primary = rng.integers(-1, len(LABELS), 400)
    finder = NeighbourPrimaries(k=7).fit(train, train_langs, primary, len(LABELS))
    probes, langs = rng.standard_normal((90, 16)), list(rng.choice(["en", "fr", "es", "pt", "de"], 90))
    shares = finder.shares(probes, langs, chunk=16)  # several chunks per language
    known = primary >= 0
    for row, (probe, lang) in enumerate(zip(probes, langs, strict=True)):
        pool = np.flatnonzero(known & (np.array(train_langs) != lang))
        sims = train[pool] @ probe
        best = pool[np.argsort(sims)[-7:]]
        expected = np.bincount(primary[best], np.maximum(train[best] @ probe, 0), minlength=len(LABELS))
        assert shares[row] == pytest.approx(expected / max(expected.sum(), 1e-12), abs=1e-5)
