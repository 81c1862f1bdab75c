"""Choosing the meaning grouping's settings: leave one question out, scored as the evaluation scores."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis import tune_themes
from analysis.briefing import meaning

from .test_evaluate_themes import data, run  # noqa: F401  (the tiny benchmark folder fixture)


def test_leave_one_question_out_chooses_on_the_other_questions() -> None:
    # Scoring q1: on q2, q3 candidate 1 is best (0.85 vs 0.15) and scores 0.1 on q1. Scoring q2: on q1, q3
    # both have 0.5, the first in the grid's order wins and scores 0.2. Scoring q3: candidate 0 (0.55).
    scores = np.array([[0.9, 0.2, 0.1],
                       [0.1, 0.8, 0.9]])  # fmt: skip
    folds = tune_themes.leave_one_question_out(scores)
    assert folds == [(1, 0.1), (0, 0.2), (0, 0.1)]


def test_the_default_is_scored_as_the_evaluation_scores_it(data: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    code, out, _ = run(capsys, "--data", str(data))
    evaluated = json.loads(out.strip().splitlines()[-1])
    code, out, _ = run(capsys, "--data", str(data), "--tune")
    assert code == 0
    tuned = json.loads(out.strip().splitlines()[-1])
    assert tuned["questions"] == ["q1", "q2"] and tuned["candidates"] == len(tune_themes.grid())
    for q in ("q1", "q2"):
        assert tuned["default"][q] == evaluated["per_question"][q]["meaning"]
    assert tuned["default"]["settings"] == meaning.WARD.describe() == evaluated["settings"]  # tfidf: Ward
    folds = tuned["leave_one_question_out"]["folds"]
    assert [f["scored"] for f in folds] == ["q1", "q2"]
    assert tuned["leave_one_question_out"]["estimate"] == round(float(np.mean([f["ari"] for f in folds])), 4)
    assert tuned["in_sample_best"]["mean"] >= tuned["default"]["mean"]


class PartEmbedder:
    """Each text to a fixed unit vector by its first word."""

    backend = model_id = "fake"
    VECTORS = {"alpha": [1.0, 0.0], "beta": [0.0, 1.0]}

    def encode(self, texts):
        return np.array([self.VECTORS[t.split()[0].lower()] for t in texts], dtype=np.float32)


def test_an_answer_as_the_mean_of_its_points_with_its_main_point_weighted() -> None:
    answer = "1) alpha one\n2) beta two, and beta is longer"
    whole = meaning.embed_answers(["alpha " + answer], PartEmbedder())
    assert np.allclose(whole, [[1.0, 0.0]])
    plain = meaning.embed_answers([answer], PartEmbedder(), meaning.Settings(unit="points"))
    assert np.allclose(plain, [[2**-0.5, 2**-0.5]])  # the mean of its two points
    main = meaning.embed_answers([answer], PartEmbedder(), meaning.Settings(unit="points", main_weight=1.0))
    assert main[0, 1] > main[0, 0]  # the longest point ("beta ...") counts twice
    assert np.isclose(np.linalg.norm(main[0]), 1.0)


def test_centring_removes_what_the_answers_share() -> None:
    vectors = np.array([[1.0, 0.2], [1.0, -0.2]])

    class Fixed:
        backend = model_id = "fixed"

        def encode(self, texts):
            return vectors[: len(texts)]

    centred = meaning.embed_answers(["a", "b"], Fixed(), meaning.Settings(centre=True))
    assert np.allclose(centred, [[0.0, 1.0], [0.0, -1.0]])


def test_a_fixed_number_of_themes_and_average_linkage() -> None:
    rng = np.random.default_rng(0)
    centres = np.eye(4)
    vectors = np.vstack([c + 0.01 * rng.standard_normal((3, 4)) for c in centres])
    labels = meaning.cluster_answers(vectors, settings=meaning.Settings(linkage="average", themes=3.0))
    assert len(set(labels.tolist())) == 4  # 12 answers / 3 = 4 themes
    assert all(len(set(labels[k * 3 : k * 3 + 3].tolist())) == 1 for k in range(4))
