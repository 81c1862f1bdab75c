"""Out-of-fold outputs cut by question (FactorClassifier ``question_folds``): what thresholds and chooser learn from."""

from __future__ import annotations

import pytest

from analysis.classify import FactorClassifier
from analysis.evaluate import load_examples
from analysis.folds import by_question, folds_of


def test_classify_question_folds_keep_each_question_and_each_answer_in_one_fold() -> None:
    groups = ["a1", "a1", "a2", "a2", "b1", None, "c1"]
    questions = ["q1", "q1", "q1", "q1", "q2", None, None]
    units = by_question(groups, questions, len(groups))
    assert units == ["question:q1"] * 4 + ["question:q2", None, "answer:c1"]
    for train, test in folds_of(len(units), 2, units, random_state=0):
        test_units = {units[i] for i in test if units[i] is not None}
        assert not test_units & {units[i] for i in train}
    with pytest.raises(ValueError, match="2 questions but 7 texts"):
        by_question(groups, questions[:2], len(groups))


def test_classify_question_folds_are_read_only_when_asked(corpus, monkeypatch) -> None:
    small = corpus[::12]
    seen: list[object] = []
    original = FactorClassifier._oof_proba

    def recording(self, texts, langs, docs, targets, groups, vectors=None):  # type: ignore[no-untyped-def]
        seen.append(groups)
        return original(self, texts, langs, docs, targets, groups, vectors)

    monkeypatch.setattr(FactorClassifier, "_oof_proba", recording)
    texts, labels = [e.text for e in small], [list(e.labels) for e in small]
    questions = [f"q{i % 3}" for i in range(len(small))]
    FactorClassifier(cv=2).fit(texts, labels, questions=questions)
    FactorClassifier(cv=2, question_folds=True).fit(texts, labels, questions=questions)
    assert seen[0] is None and seen[1] == [f"question:q{i % 3}" for i in range(len(small))]


def test_classify_real_style_examples_carry_their_question() -> None:
    from analysis.eval_report import DEV_PATHS

    examples = load_examples(DEV_PATHS["real-style set 2 (retired held-out)"])
    assert all(e.question for e in examples)
    assert {e.question for e in examples if e.group == examples[0].group} == {examples[0].question}
