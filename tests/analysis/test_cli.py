"""``python -m analysis classify`` and ``python -m analysis.evaluate``."""

from __future__ import annotations

import csv
import json

from analysis.__main__ import main as analysis_main
from analysis.evaluate import main as evaluate_main

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


def test_cli_evaluate_prints_one_json_object_with_baseline(tmp_path, capsys, default_model) -> None:
    path = tmp_path / "hand.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in HANDWRITTEN), encoding="utf-8")
    assert evaluate_main(["--data", str(path)]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["n"] == 5
    assert {"macro_f1", "micro_f1", "primary_accuracy", "per_factor", "baseline"} <= set(result)
    assert set(result["per_factor"]["audit"]) == {"precision", "recall", "f1", "support"}


def test_cli_evaluate_bad_file_names_the_line_and_exits_2(tmp_path, capsys) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok text", "labels": ["hrm"]}\n{"text": "x", "labels": ["bribery"]}\n', encoding="utf-8")
    assert evaluate_main(["--data", str(path)]) == 2
    assert f"{path}:2: field 'labels'" in capsys.readouterr().err
    path.write_text('{"text": "ok", "labels": ["hrm"]}\nnot json\n', encoding="utf-8")
    assert evaluate_main(["--data", str(path)]) == 2
    assert f"{path}:2: invalid JSON" in capsys.readouterr().err


def test_cli_classify_csv_adds_lang_labels_primary_scores(tmp_path, default_model) -> None:
    inp, out = tmp_path / "answers.csv", tmp_path / "coded.csv"
    with inp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "answer"])
        for i, row in enumerate(HANDWRITTEN):
            writer.writerow([i, row["text"]])
    assert analysis_main(["classify", "--in", str(inp), "--text-column", "answer", "--out", str(out), "--quiet"]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert len(rows) == 5 and {"id", "answer", "lang", "labels", "primary", "scores"} <= set(rows[0])
    assert rows[1]["lang"] == "fr"
    assert rows[0]["primary"] in rows[0]["labels"].split(";")
    assert set(json.loads(rows[0]["scores"])) >= {"automation", "hrm"}


def test_cli_classify_jsonl_and_missing_column(tmp_path, capsys, default_model) -> None:
    inp, out = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    inp.write_text("\n".join(json.dumps({"text": r["text"]}) for r in HANDWRITTEN), encoding="utf-8")
    assert analysis_main(["classify", "--in", str(inp), "--out", str(out), "--quiet"]) == 0
    coded = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(coded) == 5 and all(isinstance(c["labels"], list) for c in coded)
    assert analysis_main(["classify", "--in", str(inp), "--text-column", "answer", "--out", str(out)]) == 2
    assert "field 'answer'" in capsys.readouterr().err


def test_cli_evaluate_reports_cross_language_consistency_for_groups(tmp_path, capsys, default_model) -> None:
    rows = [
        {"text": "Thank you for the survey.", "lang": "en", "labels": ["other"], "group": "g1"},
        {"text": "Merci pour l'enquête.", "lang": "fr", "labels": ["other"], "group": "g1"},
        {"text": "More training for officers", "lang": "en", "labels": ["hrm"], "group": "g2"},
        {"text": "Plus de formation pour les agents", "lang": "fr", "labels": ["hrm"], "group": "g2"},
        {"text": "Publish the tariff online", "lang": "en", "labels": ["transparency"]},
    ]
    path = tmp_path / "parallel.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert evaluate_main(["--data", str(path)]) == 0
    c = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["consistency"]
    assert c["groups"] == 2
    assert 0 <= c["same_labels"] <= c["same_primary"] <= 2
    assert c["rate"] == round(c["same_primary"] / 2, 3)
    assert len(c["inconsistent"]) == 2 - c["same_primary"]
