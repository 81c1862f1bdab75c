"""The review suggestions run the shipped model once per answer: labels, confidence and evidence from one pass."""

from __future__ import annotations

from sqlmodel import Session, select

import analysis
from analysis.classify import FactorClassifier
from analysis.default_model import CORPUS_PATH
from analysis.evaluate import load_examples
from cips.models import Campaign, Coding
from cips.services import coding
from tests.review.conftest import TEXTS


def test_suggest_runs_the_model_once_per_answer(answered: Campaign, session: Session, monkeypatch,
                                                small_calibrator) -> None:  # fmt: skip
    examples = load_examples(CORPUS_PATH)[::6]  # a small model: what is counted is its passes, not its codes
    model = FactorClassifier(cv=3).fit([e.text for e in examples], [list(e.labels) for e in examples],
                                       langs=[e.lang for e in examples])  # fmt: skip
    monkeypatch.setattr(analysis, "load_default_classifier", lambda: model)
    monkeypatch.setattr(coding, "current_model_digest", lambda: "d1")
    read: list[str] = []
    real = model._all_proba  # every prediction of the model goes through it

    def spy(texts, langs=None):
        read.extend(texts)
        return real(texts, langs)

    monkeypatch.setattr(model, "_all_proba", spy)

    assert coding.suggest(session, answered) == len(TEXTS)
    assert sorted(read) == sorted(text for _, text in TEXTS)  # each answer read once, none twice
    rows = session.exec(select(Coding).where(Coding.source == "model:d1")).all()
    assert len(rows) == len(TEXTS) and all(r.confidence is not None and r.margin is not None for r in rows)
    texts = [text for _, text in TEXTS]
    expected = model.predict_labels(texts)
    by_text = {a.answer_id: a.text for a in coding.open_answers(session, answered)}
    assert {by_text[r.answer_id]: r.labels for r in rows} == dict(zip(texts, expected, strict=True))
    for row in rows:  # the evidence names the stored labels (explain was given them, not re-predicting)
        assert set(row.evidence) == (set() if row.labels == ["other"] else set(row.labels))
