"""People's codes scored as the classifier is: the cross-language reference of the fourth real-style set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis import human_reference

SET = (
    '{"text": "Training for all officers.", "lang": "en", "labels": ["hrm"], "group": "g1"}\n'
    '{"text": "Formation de tous les agents.", "lang": "fr", "labels": ["hrm"], "group": "g1"}\n'
    '{"text": "Thank you for the programme.", "lang": "en", "labels": ["other"], "group": "g2"}\n'
    '{"text": "Merci pour le programme.", "lang": "fr", "labels": ["other"], "group": "g2"}\n'
)


def write(tmp_path: Path, codes: str) -> tuple[Path, Path]:
    (tmp_path / "set.jsonl").write_text(SET, encoding="utf-8")
    (tmp_path / "codes.csv").write_text("group,lang,primary,labels\n" + codes, encoding="utf-8")
    return tmp_path / "set.jsonl", tmp_path / "codes.csv"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = human_reference.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_human_reference_scores_codes_as_the_classifier_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, codes = write(tmp_path, "g1,en,hrm,hrm\ng1,fr,hrm,hrm|culture\ng2,en,other,other\ng2,fr,hrm,hrm\n")
    code, out, _ = run(capsys, "--data", str(data), "--codes", str(codes))
    result = json.loads(out)
    assert code == 0 and result["n"] == 4 and result["primary_accuracy"] == 0.75
    assert result["consistency"]["same_primary"] == 1 and result["consistency"]["inconsistent"] == ["g2"]
    assert result["per_language"]["en"]["primary_accuracy"] == 1.0
    assert result["per_language"]["fr"]["primary_accuracy"] == 0.5


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ("g1,en,hrm,hrm\ng1,fr,hrm,bribery\n", "codes.csv:3: field 'labels': unknown label(s) ['bribery']"),
        ("g1,en,hrm,hrm\ng1,fr,audit,hrm|audit\n", "codes.csv:3: field 'primary': 'audit' is not the first label"),
        ("g1,en,hrm,hrm\ng1,en,hrm,hrm\n", "codes.csv:3: field 'group': g1 in en given twice"),
        ("g1,en,other,other|hrm\n", "codes.csv:2: field 'labels': 'other' cannot be combined with factors"),
        ("g1,en,hrm,hrm|hrm\n", "codes.csv:2: field 'labels': a label twice"),
        ("g1,en,hrm,\n", "codes.csv:2: field 'labels': empty"),
        ("g1,en,hrm,hrm\ng1,fr,hrm,hrm\ng2,en,other,other\n", "field 'group': g2 in fr not coded"),
    ],
)
def test_human_reference_bad_codes_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str], codes: str,
                                             message: str) -> None:  # fmt: skip
    data, path = write(tmp_path, codes)
    code, out, err = run(capsys, "--data", str(data), "--codes", str(path))
    assert code == 2 and not out and message in err


def test_human_reference_shipped_codes_cover_the_fourth_set(capsys: pytest.CaptureFixture[str]) -> None:
    # Four coders, one per language (analysis/data/crosslang_coders/README.md): the figures README quotes.
    code, out, _ = run(capsys)
    result = json.loads(out)
    assert code == 0 and result["n"] == 640
    assert (result["consistency"]["same_primary"], result["consistency"]["groups"]) == (143, 160)
    assert result["primary_accuracy"] == 0.945


def test_human_reference_reads_spreadsheets_and_names_strays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = "g1,en,hrm,hrm\ng1,fr,hrm,hrm\ng2,en,other,other\ng2,fr,other,other\n"
    data, path = write(tmp_path, codes)
    path.write_text("\ufeffgroup,lang,primary,labels\n" + codes, encoding="utf-8")  # Excel's byte-order mark
    code, out, _ = run(capsys, "--data", str(data), "--codes", str(path))
    assert code == 0 and json.loads(out)["consistency"]["same_primary"] == 2
    # A code for an answer the set does not hold is a wrong group or language: named, not skipped.
    path.write_text("group,lang,primary,labels\n" + codes + "g9,xx,hrm,hrm\n", encoding="utf-8")
    code, _, err = run(capsys, "--data", str(data), "--codes", str(path))
    assert code == 2 and "codes.csv:6: field 'group': g9 in xx is not in the coded set" in err
    # A coder's note over two lines: the next row's line is where it starts in the file.
    path.write_text('group,lang,primary,labels,note\ng1,en,hrm,hrm,"two\nlines"\ng1,fr,x,hrm,\n', encoding="utf-8")
    code, _, err = run(capsys, "--data", str(data), "--codes", str(path))
    assert code == 2 and "codes.csv:4: field 'primary': 'x' is not the first label" in err
