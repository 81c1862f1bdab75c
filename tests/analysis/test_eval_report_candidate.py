"""``make eval --candidate``: one look at a held-out set scores the shipped model and one declared candidate."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from analysis import eval_report, ledger

LEDGER = "# ledger\n\n<!-- ledger:start -->\n" + ledger.table([]) + "\n<!-- ledger:end -->\n"


class Always:
    """A stand-in classifier that gives every answer the same labels."""

    def __init__(self, label: str) -> None:
        self.label = label

    def predict_labels(self, texts: list[str], langs: list[str]) -> list[list[str]]:
        return [[self.label] for _ in texts]


@pytest.fixture
def held_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "rad_fake_heldout.jsonl"
    rows = [{"text": t, "lang": lang, "labels": [label], "primary": label, "group": g}
            for g, (label, t) in enumerate([("hrm", "rotation of staff"), ("audit", "internal audit unit")])
            for lang in ("en", "fr")]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    (tmp_path / "EVAL_LOG.md").write_text(LEDGER, encoding="utf-8")
    monkeypatch.setattr(eval_report, "LEDGER_PATH", tmp_path / "EVAL_LOG.md")
    monkeypatch.setattr(ledger, "git_state", lambda root: ledger.GitState("a" * 40, False))
    return path


def test_eval_report_candidate_is_logged_after_the_shipped_model_on_the_same_look(held_out: Path) -> None:
    result = eval_report.heldout_run(Always("hrm"), held_out, False, False, candidate=lambda: Always("audit"))
    rows = ledger.read_rows(eval_report.LEDGER_PATH)
    assert [eval_report.is_candidate(r) for r in rows] == [False, True]
    assert rows[0]["primary accuracy"] == "0.5" and rows[1]["primary accuracy"] == "0.5"
    assert "not shipped" in rows[1]["note"] and eval_report.CANDIDATE_NAME in rows[1]["note"]
    assert result is not None and result["candidate"]["n"] == 4
    # The set has been looked at: neither model is scored again without --look-again.
    assert eval_report.heldout_run(Always("hrm"), held_out, False, False, candidate=lambda: Always("hrm")) is None
    assert len(ledger.read_rows(eval_report.LEDGER_PATH)) == 2


def test_eval_report_candidate_is_not_fitted_when_no_held_out_set_is_scored(held_out: Path) -> None:
    built: list[int] = []
    lazy = functools.cache(lambda: built.append(1) or Always("hrm"))
    eval_report.heldout_run(Always("hrm"), held_out.with_name("absent.jsonl"), False, False, candidate=lazy)
    assert built == []
    eval_report.heldout_run(Always("hrm"), held_out, False, False, candidate=lazy)
    lazy()
    assert built == [1]


def test_eval_report_readme_headline_is_the_shipped_model_not_the_candidate(held_out: Path) -> None:
    eval_report.heldout_run(Always("hrm"), held_out, False, False, candidate=lambda: Always("audit"))
    looks = {"fake set": ledger.looks_at(eval_report.LEDGER_PATH, ledger.set_name(held_out))}
    report = {
        "date": "2026-12-06",
        "dev": {},
        "cv": _figures(),
        "lolo": {lang: _figures() for lang in "en fr es pt".split()},
    }
    table = eval_report.markdown(report, looks)
    headline = next(line for line in table.splitlines() if line.startswith("| **fake set**"))
    assert "ledger run 1" in headline
    assert "| fake set, candidate not shipped (ledger run 2) |" in table


def _figures() -> dict[str, object]:
    return {"n": 1, "macro_f1": 0.5, "micro_f1": 0.5, "primary_accuracy": 0.5}


def test_the_candidate_is_fitted_on_the_corpus_and_its_declared_development_data(monkeypatch) -> None:
    from analysis import classify
    from analysis.default_model import CORPUS_PATH
    from analysis.evaluate import load_examples

    fitted: dict[str, object] = {}

    class Recorder:
        def __init__(self, **params: object) -> None:
            fitted["params"] = params

        def fit(self, texts, labels, **kwargs):
            fitted["texts"] = list(texts)
            return self

    monkeypatch.setattr(classify, "FactorClassifier", Recorder)
    eval_report.candidate_model()
    assert fitted["params"] == eval_report.CANDIDATE_PARAMS
    # All the development data the shipped model trains on, and maybe a retired set it does not train on yet.
    assert set(eval_report.REALSTYLE_DEV) <= set(eval_report.CANDIDATE_TRAINING) <= set(eval_report.DEV_PATHS)
    assert not any(eval_report.is_heldout(eval_report.DEV_PATHS[name]) for name in eval_report.CANDIDATE_TRAINING)
    wanted = [e.text for e in load_examples(CORPUS_PATH)]
    wanted += [e.text for name in eval_report.CANDIDATE_TRAINING for e in load_examples(eval_report.DEV_PATHS[name])]
    assert sorted(fitted["texts"]) == sorted(wanted)
