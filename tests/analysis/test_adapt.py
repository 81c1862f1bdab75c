"""analysis.adapt: a classifier refitted with reviewed answers, its confidence and the least-sure-first order."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.adapt import (
    AdaptedClassifier,
    ConfidenceCalibrator,
    correct_codings,
    least_sure_first,
    margins,
)
from analysis.classify import FactorClassifier

#: A word no corpus answer uses, which one administration's answers use for its asset declarations.
LOCAL = ["The zorblat forms are never checked by anyone", "Nobody reads the zorblat of the chiefs",
         "Le zorblat des agents n'est jamais contrôlé", "El zorblat de los jefes nadie lo revisa",
         "Ninguém verifica o zorblat dos chefes", "zorblat: nobody checks, nobody cares",
         "Publish who filed the zorblat", "zorblat forms must be verified every year"]  # fmt: skip
PROBES = ["zorblat zorblat", "the zorblat again"]


@pytest.fixture(scope="module")
def small(corpus):
    examples = corpus[::4]
    background = ([e.text for e in examples], [list(e.labels) for e in examples], [e.lang for e in examples])
    base = FactorClassifier(cv=3).fit(background[0], background[1], langs=background[2],
                                      primary=[e.primary for e in examples])  # fmt: skip
    return base, background


def test_adapt_without_reviewed_answers_predicts_as_the_base(small) -> None:
    base, background = small
    probe = ["Il faut plus de formation et de rotation des agents", "Thanks to the WCO", *PROBES]
    adapted = AdaptedClassifier(base, background=background).fit([], [])
    assert adapted.n_reviewed_ == 0
    assert adapted.predict_labels(probe) == base.predict_labels(probe)
    np.testing.assert_array_equal(adapted.predict_proba(probe), base.predict_proba(probe))


def test_adapt_learns_a_local_word_from_reviewed_answers(small) -> None:
    base, background = small
    assert all("audit" not in labels for labels in base.predict_labels(PROBES, ["en", "en"]))
    adapted = AdaptedClassifier(base, background=background).fit(LOCAL, [["audit"]] * len(LOCAL))
    assert [labels[0] for labels in adapted.predict_labels(PROBES, ["en", "en"])] == ["audit", "audit"]
    # The base model is left as it was (the web app keeps one per process).
    assert all("audit" not in labels for labels in base.predict_labels(PROBES, ["en", "en"]))


def test_adapt_refuses_mismatched_or_unknown_labels(small) -> None:
    base, background = small
    with pytest.raises(ValueError, match="E303"):
        AdaptedClassifier(base, background=background).fit(["a", "b"], [["hrm"]])
    with pytest.raises(ValueError, match="E302"):
        AdaptedClassifier(base, background=background).fit(["a"], [["bribery"]])
    with pytest.raises(ValueError, match="E307"):
        AdaptedClassifier(base, background=background).fit(["a"], [["hrm"]], primary=["bribery"])


def test_confidence_is_calibrated_and_orders_least_sure_first(small, corpus) -> None:
    base, _ = small
    dev = corpus[1::8]  # answers the small base model did not learn
    labels, m = margins(base, [e.text for e in dev], [e.lang for e in dev])
    assert m.shape == (len(dev), 2) and (m >= 0).all()
    right = correct_codings(labels, [e.labels for e in dev], [e.primary for e in dev])
    calibrator = ConfidenceCalibrator().fit(m, right)
    conf = calibrator.predict(m)
    assert ((conf >= 0) & (conf <= 1)).all()
    # Isotonic on the answers it was fitted on: the mean confidence is the share coded right.
    assert conf.mean() == pytest.approx(np.mean(right), abs=1e-6)
    order = least_sure_first(list(conf))
    first, last = np.array(right)[order[: len(order) // 3]], np.array(right)[order[-len(order) // 3 :]]
    assert first.mean() < last.mean()  # the least sure third holds more wrong codings than the surest third


def test_least_sure_first_puts_unknown_confidence_last() -> None:
    assert least_sure_first([0.9, None, 0.2, float("nan"), 0.5]) == [2, 4, 0, 1, 3]
    assert least_sure_first([0.5, 0.5, 0.1]) == [2, 0, 1]  # ties keep the queue's order


def test_correct_codings_needs_the_same_set_and_primary() -> None:
    assert correct_codings([["hrm", "audit"], ["hrm", "audit"], ["hrm"]],
                           [["audit", "hrm"], ["audit", "hrm"], ["hrm", "culture"]],
                           ["hrm", "audit", "hrm"]) == [True, False, False]  # fmt: skip


def test_learning_curve_prints_the_table_and_a_json_last_line(small, corpus, tmp_path, capsys) -> None:
    import json

    from analysis import learning_curve

    base, background = small
    rows = [{"text": e.text, "lang": e.lang, "labels": list(e.labels), "primary": e.primary, "group": f"u{i // 2}"}
            for i, e in enumerate(corpus[1::40])]  # fmt: skip
    data, tune = tmp_path / "campaign.jsonl", tmp_path / "tune.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    tune.write_text("\n".join(json.dumps(r) for r in rows[::-1]), encoding="utf-8")
    argv = ["--orders", "2", "--data", str(data), "--tune-data", str(tune), "--strategies", "random"]
    assert learning_curve.main(argv, base=base, background=background, sizes=(0, 6), test_groups=10) == 0
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert set(result["table"]) == {"random"}  # the orders asked for, only
    assert set(result["table"]["random"]) == {"0", "6"} and result["test_answers"] == 20
    assert result["reliability"]["n"] == len(rows)
    assert any(line.startswith("| random | 6 |") for line in out)
    with pytest.raises(SystemExit):
        learning_curve.main(["--data", "analysis/data/rad_heldout.jsonl"], base=base)
    with pytest.raises(SystemExit):
        learning_curve.main(["--strategies", "alphabetical"], base=base)


def test_default_calibrator_is_fitted_once_and_cached_per_model(small, tmp_path, monkeypatch) -> None:
    from analysis import default_model
    from analysis.adapt import load_default_calibrator

    base, _ = small
    monkeypatch.setenv("CIPS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(default_model, "load_default_classifier", lambda: base)
    monkeypatch.setattr(default_model, "model_digest", lambda: "d1")
    # The calibration set the shipped model trains on is read by the same settings fitted without it: here, base.
    monkeypatch.setattr(default_model, "fit_examples", lambda examples: base)
    first = load_default_calibrator()
    assert [p.name for p in tmp_path.iterdir()] == ["confidence-calibrator-d1.joblib"]
    monkeypatch.setattr(default_model, "load_default_classifier", lambda: pytest.fail("refitted, not cached"))
    again = load_default_calibrator()
    probe = np.array([[0.1, 0.2], [3.0, 4.0]])
    np.testing.assert_array_equal(first.predict(probe), again.predict(probe))
