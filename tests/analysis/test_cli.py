"""``python -m analysis classify`` and ``python -m analysis.evaluate``, on a stub model (see conftest.StubModel)."""

from __future__ import annotations

import csv
import json

import pytest

from analysis import baseline
from analysis.__main__ import main as analysis_main
from analysis.evaluate import main as evaluate_main
from analysis.factors import FACTOR_IDS

HANDWRITTEN = [
    {
        "text": "We need e-payment and an electronic single window, no more paper.",
        "labels": ["automation"],
        "lang": "en",
    },
    {"text": "La hiérarchie doit donner l'exemple en matière d'intégrité.", "labels": ["leadership"], "lang": "fr"},
    {"text": "Nadie sanciona a los funcionarios corruptos, las denuncias no sirven.", "labels": ["audit"]},
    {"text": "Os salários são baixos e não há rodízio de pessoal.", "labels": ["hrm"], "primary": "hrm"},
    {"text": "Thank you for the programme.", "labels": ["other"]},
]
LANGS = ["en", "fr", "es", "pt", "en"]
CODED = [["automation"], ["leadership"], ["audit"], ["hrm"], ["other"]]  # the stub's answers


class AlwaysOther:
    def predict_labels(self, texts, langs=None):
        return [["other"] for _ in texts]


@pytest.fixture
def other_baseline(monkeypatch) -> None:
    monkeypatch.setattr(baseline, "KeywordBaseline", AlwaysOther)


def _scores(labels: list[str]) -> dict[str, float]:
    return {f: 0.9 if f in labels else 0.1 for f in FACTOR_IDS}


def test_cli_evaluate_prints_exact_scores_of_model_and_baseline(tmp_path, capsys, stub_model, other_baseline) -> None:
    path = tmp_path / "hand.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in HANDWRITTEN), encoding="utf-8")
    assert evaluate_main(["--data", str(path)]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    perfect = {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    zero = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    # The baseline says other for all five: other P 1/5, R 1, F1 1/3; the four factors 0.
    # macro 0.333 / 5 = 0.067; micro 2·1 / (2 + 4 + 4) = 0.2; primary 1 of 5.
    assert result == {
        "n": 5, "macro_f1": 1.0, "micro_f1": 1.0, "primary_accuracy": 1.0,
        "per_factor": {f: perfect for f in ("audit", "automation", "hrm", "leadership", "other")},
        "baseline": {"n": 5, "macro_f1": 0.067, "micro_f1": 0.2, "primary_accuracy": 0.2,
                     "per_factor": {"audit": zero, "automation": zero, "hrm": zero, "leadership": zero,
                                    "other": {"precision": 0.2, "recall": 1.0, "f1": 0.333, "support": 1}}},
        "gain": {"macro_f1": 0.933, "micro_f1": 0.8, "primary_accuracy": 0.8},
    }  # fmt: skip
    # The file gives en and fr for lines 1-2; the others are detected.
    assert stub_model.calls == [([r["text"] for r in HANDWRITTEN], LANGS)]


def test_cli_evaluate_bad_file_names_the_line_and_exits_2(tmp_path, capsys) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok text", "labels": ["hrm"]}\n{"text": "x", "labels": ["bribery"]}\n', encoding="utf-8")
    assert evaluate_main(["--data", str(path)]) == 2
    assert capsys.readouterr().err == f"error: {path}:2: field 'labels': unknown label(s) ['bribery']\n"
    path.write_text('{"text": "ok", "labels": ["hrm"]}\nnot json\n', encoding="utf-8")
    assert evaluate_main(["--data", str(path)]) == 2
    assert f"{path}:2: invalid JSON" in capsys.readouterr().err


def test_cli_classify_csv_writes_exactly_lang_labels_primary_scores(tmp_path, capsys, stub_model) -> None:
    inp, out = tmp_path / "answers.csv", tmp_path / "coded.csv"
    with inp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "answer"])
        for i, row in enumerate(HANDWRITTEN):
            writer.writerow([i, row["text"]])
    assert analysis_main(["classify", "--in", str(inp), "--text-column", "answer", "--out", str(out), "--quiet"]) == 0
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["id", "answer", "lang", "labels", "primary", "scores"]
    assert rows[1:] == [[str(i), r["text"], lang, ";".join(ls), ls[0], json.dumps(_scores(ls))]
                        for i, (r, lang, ls) in enumerate(zip(HANDWRITTEN, LANGS, CODED, strict=True))]  # fmt: skip
    assert capsys.readouterr().err == f"5 answers coded -> {out}\n"


def test_cli_classify_jsonl_and_missing_column(tmp_path, capsys, stub_model) -> None:
    inp, out = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    inp.write_text("\n".join(json.dumps({"text": r["text"]}) for r in HANDWRITTEN), encoding="utf-8")
    assert analysis_main(["classify", "--in", str(inp), "--out", str(out), "--quiet"]) == 0
    coded = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert coded == [{"text": r["text"], "lang": lang, "labels": ls, "primary": ls[0], "scores": _scores(ls)}
                     for r, lang, ls in zip(HANDWRITTEN, LANGS, CODED, strict=True)]  # fmt: skip
    assert analysis_main(["classify", "--in", str(inp), "--text-column", "answer", "--out", str(out)]) == 2
    assert "field 'answer'" in capsys.readouterr().err


def test_cli_evaluate_reports_cross_language_consistency_for_groups(tmp_path, capsys, stub_model) -> None:
    rows = [
        {"text": "Thank you for the survey.", "lang": "en", "labels": ["other"], "group": "g1"},
        {"text": "Merci pour l'enquête.", "lang": "fr", "labels": ["other"], "group": "g1"},
        {"text": "More training for officers", "lang": "en", "labels": ["hrm"], "group": "g2"},
        {"text": "Des agents mieux préparés", "lang": "fr", "labels": ["hrm"], "group": "g2"},  # stub: other
        {"text": "Publish the tariff online", "lang": "en", "labels": ["transparency"]},
    ]
    path = tmp_path / "parallel.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert evaluate_main(["--data", str(path)]) == 0
    c = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["consistency"]
    assert c == {"groups": 2, "same_primary": 1, "same_labels": 1, "rate": 0.5, "label_set_rate": 0.5,
                 "inconsistent": ["g2"]}  # fmt: skip
