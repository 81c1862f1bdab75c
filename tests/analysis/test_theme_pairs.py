"""The learned pair model of the meaning grouping: an estimator, its clustering, and when the briefing uses it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.briefing import meaning, pairs

FIRST = ["Peer visits between administrations would help us most", "Exchanges with neighbours are useful",
         "Visits to partner administrations should continue", "The WCO tools need a Portuguese version",
         "Translate the guides of the WCO into Spanish", "Officers cannot read the WCO guides"]  # fmt: skip
# Neutral second sentences: no codebook concept, so that neither theme is one of subjects each raised once.
SECOND = ["It was clear", "It went well", "Nothing else", "It came late", "It was fine", "It was noted"]
ANSWERS = [f"{a}. {b}." for a, b in zip(FIRST, SECOND, strict=True)]
LEARNED = meaning.Settings(pairs=True)


class _FirstSentence:
    """Whole answers and second sentences all on one axis; first sentences on their group's axis (peers, tools)."""

    backend = "fake"

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = np.zeros((len(texts), 4), dtype=np.float32)
        for k, text in enumerate(texts):
            rows[k, 1 + FIRST.index(text) // 3 if text in FIRST else 0] = 1.0
        return rows


def _on_first_sentences(path: object = None) -> pairs.Shipped:
    """A model that says "same theme" exactly when two answers' first sentences are alike."""
    width = len(pairs.FEATURES)
    model = pairs.PairSimilarity.from_dict({"C": 1.0, "mean": [0.0] * width, "scale": [1.0] * width,
                                            "coef": [20.0 if f == "first sentences" else 0.0 for f in pairs.FEATURES],
                                            "intercept": -10.0})  # fmt: skip
    return pairs.Shipped(model, threshold=0.5, backend="fake", dim=4)


def test_the_learned_pairs_group_answers_with_the_embedder_they_were_fitted_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Whole answers embed alike and raise no concept: only the pair model's first-sentence feature separates them.
    monkeypatch.setattr(pairs, "shipped", _on_first_sentences)
    labels = meaning.group_answers(ANSWERS, ["en"] * 6, _FirstSentence(), settings=LEARNED)
    assert labels[0] != meaning.OTHER and labels[3] != meaning.OTHER and labels[0] != labels[3]
    assert list(labels) == [labels[0]] * 3 + [labels[3]] * 3
    assert LEARNED.describe("fake").startswith("learned pairs (threshold 0.5, fake)")


def test_another_embedder_groups_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pairs, "shipped", _on_first_sentences)
    other = _FirstSentence()
    other.backend = "tfidf"  # type: ignore[misc]
    labels = meaning.group_answers(ANSWERS, ["en"] * 6, other, settings=LEARNED)
    ward = meaning.group_answers(ANSWERS, ["en"] * 6, _FirstSentence(), settings=meaning.Settings(pairs=False))
    assert list(labels) == list(ward)
    assert LEARNED.describe("tfidf") == meaning.WARD.describe()


def test_pair_similarity_follows_scikit_learn_and_survives_its_file() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = (x[:, 0] + 0.3 * rng.normal(size=200) > 0).astype(int)
    model = pairs.PairSimilarity(C=1.0)
    assert model.fit(x, y) is model
    assert model.coef_[0] > abs(model.coef_[1]) and (model.predict(x) == y).mean() > 0.8
    again = pairs.PairSimilarity.from_dict(json.loads(json.dumps(model.to_dict())))
    assert np.allclose(again.predict_proba(x), model.predict_proba(x))


def test_clusters_from_pair_probabilities_keep_the_briefing_rules() -> None:
    n = 10
    i, j = np.triu_indices(n, k=1)
    group = np.array([0] * 8 + [1, 2])  # eight alike, two alone
    p = np.where(group[i] == group[j], 0.9, 0.05)
    labels = pairs.cluster_pairs(n, np.column_stack([i, j]), p, threshold=0.5, max_theme=6)
    assert list(labels[8:]) == [-1, -1]  # an answer alone goes to "other points"
    sizes = np.bincount(labels[:8])
    assert sizes.sum() == 8 and sizes.max() <= 6 and len(sizes) == 2  # too many to quote: split in two


def test_a_setting_names_its_pair_model_file_and_its_largest_theme(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def shipped(path: object = None) -> pairs.Shipped:
        asked.append(getattr(path, "name", str(path)))
        return _on_first_sentences()

    monkeypatch.setattr(pairs, "shipped", shipped)
    finer = meaning.Settings(pairs=True, pair_file="other_pairs.json", pair_max=2)
    labels = meaning.group_answers(ANSWERS, ["en"] * 6, _FirstSentence(), settings=finer)
    assert asked and set(asked) == {"other_pairs.json"}  # that file's model, not the default one
    themes = [t for t in set(labels.tolist()) if t != meaning.OTHER]
    assert themes and all((labels == t).sum() == 2 for t in themes)  # each group of three cut to two (+ other)
    assert (labels == meaning.OTHER).sum() == 2
    assert finer.describe("fake").endswith("max 2, other_pairs.json")


@pytest.mark.parametrize("largest", [1, meaning.MAX_THEME + 1])
def test_a_theme_larger_than_can_be_quoted_is_refused(largest: int) -> None:
    with pytest.raises(ValueError, match="pair_max"):
        meaning.Settings(pairs=True, pair_max=largest)


def test_the_setting_declared_for_the_fifth_look_ships_its_model() -> None:
    """``pairs16``: the pair model refitted on development q1-q16, themes of at most five answers."""
    declared = meaning.NAMED["pairs16"]
    assert declared.pairs and declared.pair_max == 5 and declared != meaning.DEFAULT
    spec = json.loads((pairs.MODEL_FILE.parent / declared.pair_file).read_text(encoding="utf-8"))
    assert [name.split(":")[1] for name in spec["trained_on"]] == [f"q{k}" for k in range(1, 17)]
    assert spec["pair_max"] == 5 and spec["features"] == list(pairs.FEATURES[:14])
    assert pairs.shipped(pairs.MODEL_FILE.parent / declared.pair_file) is not None


def test_a_model_fitted_on_the_first_features_reads_only_those(tmp_path: Path) -> None:
    # The shipped models were fitted on the first 14 features; later ones are appended, never inserted.
    width = 14
    spec = {"backend": "fake", "dim": 4, "features": list(pairs.FEATURES[:width]), "threshold": 0.5,
            "model": {"C": 1.0, "mean": [0.0] * width, "scale": [1.0] * width, "coef": [1.0] * width,
                      "intercept": 0.0}}  # fmt: skip
    (tmp_path / "m.json").write_text(json.dumps(spec), encoding="utf-8")
    assert pairs.shipped(tmp_path / "m.json").cols == width
    spec["features"] = ["cosine", "first points"]  # another order: not usable
    (tmp_path / "n.json").write_text(json.dumps(spec), encoding="utf-8")
    assert pairs.shipped(tmp_path / "n.json") is None


def test_meaning_settings_name_the_second_grab_bag_pass_whichever_grouping_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The ledger tells a look with the briefing's second pass from one without by this description alone.
    monkeypatch.setattr(pairs, "shipped", _on_first_sentences)
    two = meaning.Settings(pairs=True, points_grab_bags=True)
    assert two.describe("fake").endswith(", second grab-bag pass")
    assert two.describe("tfidf").endswith(", second grab-bag pass")  # the Ward grouping, with the pass
    assert "second grab-bag pass" not in meaning.DEFAULT.describe("fake") + meaning.DEFAULT.describe("tfidf")
    assert meaning.NAMED["two-pass"].points_grab_bags and not meaning.DEFAULT.points_grab_bags
