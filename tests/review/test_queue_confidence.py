"""The review queue's order: the calibrated chance that the model's suggestion needs no correction."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session, select

from analysis import adapt
from analysis.adapt import CALIBRATION_SETS, ConfidenceCalibrator
from cips.models import Campaign, Coding, Role
from cips.services.coding import current_model_digest, suggest
from cips.services.review import QueueFilters, queue
from tests.review.conftest import TEXTS, KeywordModel

#: A calibrated confidence per answer that orders them differently from KeywordModel's raw margins
#: (there answer 0 is the least sure): the sixth answer is the least sure here, then the first.
SURE = {TEXTS[5][1]: 0.12, TEXTS[0][1]: 0.62, TEXTS[3][1]: 0.7, TEXTS[1][1]: 0.8, TEXTS[4][1]: 0.85,
        TEXTS[6][1]: 0.9, TEXTS[2][1]: 0.95}  # fmt: skip


def sureness(texts: list[str]) -> np.ndarray:
    return np.array([SURE[text] for text in texts])


def test_queue_orders_by_calibrated_confidence_not_the_raw_margin(answered: Campaign, session: Session) -> None:
    suggest(session, answered, KeywordModel(), "abc", sureness=sureness)
    stored = session.exec(select(Coding).where(Coding.source == "model:abc")).all()
    assert sorted(round(row.confidence, 2) for row in stored) == sorted(SURE.values())
    order = [e.answer.text for e in queue(session, answered, QueueFilters())]
    assert order == sorted(SURE, key=SURE.get)
    by_margin = [e.answer.text for e in sorted(queue(session, answered, QueueFilters()),
                                                key=lambda e: e.suggestion.margin)]  # fmt: skip
    assert order != by_margin  # the two orders differ here: the calibrated one is followed


def test_the_queue_page_says_how_sure_the_model_is(answered: Campaign, session: Session, client_as) -> None:
    suggest(session, answered, KeywordModel(), current_model_digest(), sureness=sureness)
    html = client_as(Role.reviewer).get("/manage/campaigns/test/review/answers").get_data(as_text=True)
    assert "Answer 1 of" in html and "auditoria interna" in html  # the least sure by calibrated confidence
    second = client_as(Role.reviewer).get("/manage/campaigns/test/review/answers?unreviewed=1").get_data(as_text=True)
    assert "model sure: 12 %" in second


def test_the_workbook_carries_the_calibrated_confidence(answered: Campaign, session: Session) -> None:
    from cips.services.review_files import review_records

    suggest(session, answered, KeywordModel(), "abc", sureness=sureness)
    records = review_records(session, answered)
    assert [round(r.model_confidence, 2) for r in records] == sorted(SURE.values())


def test_calibration_is_monotone_in_the_models_margins() -> None:
    rng = np.random.default_rng(0)
    margins = rng.gamma(2.0, 1.0, size=(400, 2))
    # Answers with larger margins are coded right more often, with noise.
    right = rng.random(400) < 1 / (1 + np.exp(-(margins.sum(axis=1) - 3)))
    calibrator = ConfidenceCalibrator().fit(margins, right)
    grid = np.column_stack([np.linspace(0, 8, 50), np.linspace(0, 8, 50)])
    conf = calibrator.predict(grid)
    assert ((conf >= 0) & (conf <= 1)).all()
    assert (np.diff(conf) >= 0).all()  # surer on both margins: never a lower confidence
    score = calibrator.ranker_.decision_function(np.log1p(margins))
    assert (np.diff(calibrator.predict(margins)[np.argsort(score)]) >= 0).all()  # isotonic in the ranking score


def test_the_shipped_calibrator_is_fitted_on_the_development_sets_once(monkeypatch, tmp_path: Path) -> None:
    """``load_default_calibrator`` reads the development sets (never a held-out file), then its cache."""
    from analysis import default_model

    calls: list[list[str]] = []

    def fit_on(model, paths):
        calls.append([Path(path).name for path in paths])
        return ConfidenceCalibrator().fit(np.array([[0.1, 0.1], [2.0, 2.0], [0.2, 0.3], [3.0, 1.0]]),
                                          [False, True, False, True])  # fmt: skip

    monkeypatch.setattr(default_model, "cache_dir", lambda: tmp_path)
    monkeypatch.setattr(default_model, "model_digest", lambda: "d1")
    monkeypatch.setattr(default_model, "load_default_classifier", lambda: object())
    monkeypatch.setattr(adapt, "fit_calibrator_on", fit_on)
    first = adapt.load_default_calibrator()
    second = adapt.load_default_calibrator()
    assert calls == [list(CALIBRATION_SETS)]  # pooled, fitted once, cached
    assert not any("heldout" in name for name in CALIBRATION_SETS)
    assert all((default_model.DATA_DIR / name).exists() for name in CALIBRATION_SETS)  # shipped with the package
    np.testing.assert_array_equal(first.predict(np.array([[1.0, 1.0]])), second.predict(np.array([[1.0, 1.0]])))
    assert (tmp_path / "confidence-calibrator-d1.joblib").exists()  # beside the model, named by its digest


def test_adapt_a_calibration_set_trained_on_is_read_by_a_model_fitted_without_it(monkeypatch, tmp_path: Path) -> None:
    """The shipped model trains on some development sets: its confidence on them would be overstated (its
    neighbours hand an answer its own translations' codes), so a model fitted without them reads them."""
    from analysis import default_model

    seen, unseen = tmp_path / "seen.jsonl", tmp_path / "unseen.jsonl"
    for path, word in ((seen, "seen"), (unseen, "unseen")):
        rows = [{"text": f"{word} {k}", "lang": "en", "labels": ["audit"], "primary": "audit", "group": f"{word}{k}"}
                for k in range(4)]  # fmt: skip
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    excluded: list[list[Path]] = []
    read: dict[str, list[str]] = {}

    def training_examples(exclude=()):
        excluded.append(list(exclude))
        return ["the corpus and the other sets"]

    def margins(model, texts, langs):
        read[model] = list(texts)
        right = [["audit"] if k % 2 else ["hrm"] for k in range(len(texts))]
        return right, np.array([[0.5 + k, 1.0 + k] for k in range(len(texts))])

    monkeypatch.setattr(default_model, "TRAINING_PATHS", (seen,))
    monkeypatch.setattr(default_model, "training_examples", training_examples)
    monkeypatch.setattr(default_model, "fit_examples", lambda examples: "fitted without the seen set")
    monkeypatch.setattr(adapt, "margins", margins)
    roundabout = tmp_path / "elsewhere" / ".." / "seen.jsonl"  # the training set, spelt another way
    calibrator = adapt.fit_calibrator_on("shipped", [roundabout, unseen])
    assert excluded == [[seen]]
    assert read == {"shipped": [f"unseen {k}" for k in range(4)],
                    "fitted without the seen set": [f"seen {k}" for k in range(4)]}  # fmt: skip
    assert calibrator.predict(np.array([[0.5, 1.0]])).shape == (1,)
    with pytest.raises(ValueError, match="at least one labelled file"):
        adapt.fit_calibrator_on("shipped", [])
