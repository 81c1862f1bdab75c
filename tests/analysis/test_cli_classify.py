"""``python -m analysis classify`` on files as people make them, and the readers under it (on conftest.StubModel)."""

from __future__ import annotations

import csv
import json
import os

import pytest

from analysis.__main__ import main as analysis_main
from analysis.default_model import KEEP_MODELS, _prune, hashed_files
from analysis.evaluate import main as evaluate_main
from analysis.factors import FACTOR_IDS
from analysis.jsonl import InputFileError, parse_jsonl
from analysis.tabular import csv_delimiter

MULTILINE = "Line one: more training\nLine two: rotation des agents"
SEPARATED = "Publish the tariff\u2028and the fees online"


def _classify(tmp_path, inp, out_name="coded.csv", *extra: str) -> int:
    return analysis_main(["classify", "--in", str(inp), "--text-column", "answer",
                          "--out", str(tmp_path / out_name), "--quiet", *extra])  # fmt: skip


def _coded(path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8-sig", newline="")))


def test_cli_classify_keeps_multiline_and_line_separator_cells_verbatim(tmp_path, stub_model) -> None:
    inp = tmp_path / "answers.csv"
    with inp.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["id", "answer"], ["1", MULTILINE], ["2", SEPARATED], ["3", "Thanks"]])
    assert _classify(tmp_path, inp) == 0
    rows = _coded(tmp_path / "coded.csv")
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert [r["answer"] for r in rows[:2]] == [MULTILINE, SEPARATED]
    assert [r["labels"] for r in rows] == ["hrm", "transparency", "other"]


def test_cli_classify_reads_semicolon_csv_as_excel_writes_it_in_french(tmp_path, stub_model) -> None:
    inp = tmp_path / "fr.csv"
    inp.write_text("id;answer\n1;Plus de formation pour les agents, et le paiement en ligne\n", encoding="utf-8")
    assert _classify(tmp_path, inp) == 0
    [row] = _coded(tmp_path / "coded.csv")
    assert row == {"id": "1", "answer": "Plus de formation pour les agents, et le paiement en ligne",
                   "lang": "fr", "labels": "hrm;automation", "primary": "hrm",
                   "scores": json.dumps({f: 0.9 if f in {"hrm", "automation"} else 0.1
                                         for f in FACTOR_IDS})}  # fmt: skip


def test_cli_classify_csv_opens_in_excel_and_runs_no_formula(tmp_path, stub_model) -> None:
    inp = tmp_path / "answers.csv"
    inp.write_text(
        'id,answer\n1,"=HYPERLINK(""http://evil"",""click"")"\n2,Formação dos funcionários\n', encoding="utf-8"
    )
    assert _classify(tmp_path, inp) == 0
    raw = (tmp_path / "coded.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = _coded(tmp_path / "coded.csv")
    assert rows[0]["answer"] == '\'=HYPERLINK("http://evil","click")'
    assert rows[1]["answer"] == "Formação dos funcionários"


def test_cli_classify_leaves_blank_answers_uncoded_not_other(tmp_path, capsys, stub_model) -> None:
    inp = tmp_path / "answers.jsonl"
    inp.write_text('{"answer": "More training for officers"}\n{"answer": null}\n', encoding="utf-8")
    assert _classify(tmp_path, inp, "coded.jsonl") == 0
    first, blank = (json.loads(line) for line in (tmp_path / "coded.jsonl").read_text(encoding="utf-8").splitlines())
    assert (first["labels"], first["primary"], first["lang"]) == (["hrm"], "hrm", "en")
    assert (blank["labels"], blank["primary"], blank["scores"], blank["lang"]) == ([], "", {}, "und")
    assert "1 answers coded (1 blank, left uncoded)" in capsys.readouterr().err


def test_cli_classify_rereads_its_own_jsonl_with_raw_line_separators(tmp_path, stub_model) -> None:
    inp = tmp_path / "a.jsonl"
    inp.write_text(json.dumps({"answer": SEPARATED}) + "\n", encoding="utf-8")  # escaped \u2028 in the input
    assert _classify(tmp_path, inp, "b.jsonl") == 0
    assert "\u2028" in (tmp_path / "b.jsonl").read_text(encoding="utf-8")  # written raw (ensure_ascii=False)
    assert _classify(tmp_path, tmp_path / "b.jsonl", "c.jsonl") == 0
    lines = (tmp_path / "c.jsonl").read_text(encoding="utf-8").split("\n")
    [row] = [json.loads(line) for line in lines if line]
    assert row["answer"] == SEPARATED


def test_cli_classify_uses_a_language_column_as_users_write_it(tmp_path, stub_model) -> None:
    inp = tmp_path / "answers.csv"
    inp.write_text("answer,language\nLes agents acceptent des cadeaux des transitaires,FR-fr\nok,\n", encoding="utf-8")
    assert _classify(tmp_path, inp, "coded.csv", "--lang-column", "language") == 0
    rows = _coded(tmp_path / "coded.csv")
    assert (rows[0]["lang"], rows[0]["labels"], rows[0]["primary"]) == ("fr", "conduct", "conduct")
    assert rows[1]["lang"] == "und"  # blank: detected, and "ok" is too short to tell


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('id,answer\n1,fine\n2,"never closed\n', ":3: malformed CSV"),
        ("id,answer\n1,fine\n2,too,many\n", ":3: 3 cells but the header names 2"),
        ('{"answer": "ok"}\n{"text": "misspelt column"}\n', ":2: field 'answer': missing"),
    ],
)
def test_cli_classify_bad_input_names_the_line(tmp_path, capsys, content, message) -> None:
    inp = tmp_path / ("answers.jsonl" if content.startswith("{") else "answers.csv")
    inp.write_text(content, encoding="utf-8")
    assert _classify(tmp_path, inp) == 2
    assert f"{inp}{message}" in capsys.readouterr().err


def test_cli_classify_missing_output_folder_is_an_error_before_any_work(tmp_path, capsys) -> None:
    inp = tmp_path / "answers.csv"
    inp.write_text("answer\nMore training\n", encoding="utf-8")
    out = tmp_path / "nowhere" / "coded.csv"
    assert analysis_main(["classify", "--in", str(inp), "--text-column", "answer", "--out", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err and not out.exists()


def test_jsonl_lines_end_at_newline_only() -> None:
    text = '{"text": "a\u2028b\x85c"}\r\n\n{"text": "d"}\n'
    assert [(n, o["text"]) for n, o in parse_jsonl(text, "x.jsonl")] == [(1, "a\u2028b\x85c"), (3, "d")]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": 42, "labels": ["hrm"]}', "field 'text': expected text, got int"),
        ('{"text": "More training", "labels": ["hrm"], "primary": 0}', "field 'primary': 0 is not among"),
        ('{"text": "More training", "labels": ["hrm"], "lang": 5}', "field 'lang': expected a language code"),
    ],
)
def test_cli_evaluate_names_wrong_types(tmp_path, capsys, line, message) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    assert evaluate_main(["--data", str(path)]) == 2
    assert f"{path}:1: {message}" in capsys.readouterr().err


def test_default_model_cache_key_covers_every_module() -> None:
    hashed = {p.name for p in hashed_files()}
    package = hashed_files()[-1].parent
    assert {p.name for p in package.glob("*.py")} <= hashed
    assert {"segment.py", "rad_corpus.jsonl", "rad_codebook.yaml"} <= hashed


def test_default_model_cache_keeps_the_newest_models_only(tmp_path) -> None:
    for i in range(KEEP_MODELS + 2):
        path = tmp_path / f"factor-classifier-{i:016x}.joblib"
        path.write_bytes(b"x")
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
        (tmp_path / f"confidence-calibrator-{i:016x}.joblib").write_bytes(b"x")  # each model's calibrator
    (tmp_path / "unrelated.txt").write_text("kept")
    _prune(tmp_path, keep=KEEP_MODELS)
    left = sorted(p.name for p in tmp_path.glob("factor-classifier-*"))
    assert left == [f"factor-classifier-{i:016x}.joblib" for i in range(2, KEEP_MODELS + 2)]
    calibrators = sorted(p.name for p in tmp_path.glob("confidence-calibrator-*"))
    assert calibrators == [f"confidence-calibrator-{i:016x}.joblib" for i in range(2, KEEP_MODELS + 2)]
    assert (tmp_path / "unrelated.txt").exists()


def test_cli_classify_only_blank_answers_codes_nothing_and_succeeds(tmp_path, stub_model) -> None:
    inp = tmp_path / "answers.csv"
    inp.write_text('id,answer\n1,""\n2,"  "\n', encoding="utf-8")
    assert _classify(tmp_path, inp) == 0
    assert [(r["labels"], r["primary"]) for r in _coded(tmp_path / "coded.csv")] == [("", ""), ("", "")]


def test_tabular_separator_inside_a_quoted_column_name_does_not_count() -> None:
    assert csv_delimiter('"text, answer";lang') == ";"
    assert csv_delimiter("id,answer") == "," and csv_delimiter("answer") == ","


def test_jsonl_unpaired_surrogate_is_refused_with_its_line() -> None:
    text = '{"text": "fine \\ud83d\\ude00"}\n{"text": "broken \\ud800"}\n'
    with pytest.raises(InputFileError, match=r"x.jsonl:2: .*unpaired surrogate"):
        list(parse_jsonl(text, "x.jsonl"))
