"""The theme benchmark folder's split (split.yaml) and its second editor (gold_B.csv)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score

import analysis
from analysis import evaluate_themes

from .test_evaluate_themes import ROWS, StubClassifier, run

# Editor B agrees with A on q1 and q3, and groups q2 differently: "one" and "two" together.
B_THEMES = {"c7": "b1", "c8": "b1", "c9": "b1", "c10": "b1", "c11": "b2", "c12": "b2"}


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny benchmark of test_evaluate_themes, without split.yaml."""
    data = tmp_path / "themes2"
    data.mkdir()
    write_csv(data / "contributions.csv", ["id", "question", "lang", "text"], [[i, q, "en", t] for i, q, t, _ in ROWS])
    write_csv(data / "gold.csv", ["id", "question", "theme"], [[i, q, g] for i, q, _, g in ROWS])
    monkeypatch.setenv("CIPS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(analysis, "load_default_classifier", StubClassifier)
    return data


def with_b(data: Path, drop: str = "") -> None:
    rows = [[i, q, B_THEMES.get(i, g)] for i, q, _, g in ROWS if i != drop]
    write_csv(data / "gold_B.csv", ["id", "question", "theme"], rows)


def last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_a_folder_without_split_is_all_development(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--data", str(folder))
    assert code == 0 and last_json(out)["questions"] == ["q1", "q2", "q3"]
    assert not (folder.parent / "EVAL_LOG.md").exists()
    code, _, err = run(capsys, "--data", str(folder), "--held-out")
    assert code == 2 and "no held-out questions" in err and "split.yaml" in err


def test_a_folder_all_held_out_is_scored_only_with_the_flag_and_logged(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "split.yaml").write_text("held_out: [q1, q2, q3]\n", encoding="utf-8")
    with_b(folder)
    ledger = folder.parent / "EVAL_LOG.md"
    code, out, err = run(capsys, "--data", str(folder))
    assert code == 2 and out == "" and not ledger.exists()
    assert "no development questions" in err and "--held-out" in err
    code, out, _ = run(capsys, "--data", str(folder), "--held-out")
    assert code == 0
    result = last_json(out)
    assert result["questions"] == ["q1", "q2", "q3"]
    rows = [line for line in ledger.read_text(encoding="utf-8").splitlines() if line.startswith("| 20")]
    assert len(rows) == 1
    assert "| themes2: q1,q2,q3 (gold.csv sha256:" in rows[0] and "gold_B.csv sha256:" in rows[0]
    assert f"editors' ARI {result['overall']['editors']}" in rows[0]


def test_second_editor_agreement_and_meaning_against_b(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_b(folder)
    code, out, _ = run(capsys, "--data", str(folder))
    assert code == 0
    result = last_json(out)
    q1, q2 = result["per_question"]["q1"], result["per_question"]["q2"]
    assert q1["editors"] == 1.0  # the same partition under other names
    a2 = ["one", "one", "two", "two", "three", "three"]
    b2 = ["b1", "b1", "b1", "b1", "b2", "b2"]
    assert q2["editors"] == round(adjusted_rand_score(a2, b2), 4) < 1.0
    # the meaning grouping (tfidf) puts q2's four same-worded answers together: B's grouping exactly
    assert q2["meaning_B"] == 1.0 and q2["meaning"] < 1.0
    assert result["overall"]["editors"] == round((1.0 + q2["editors"] + 1.0) / 3, 4)
    assert result["overall"]["meaning_B"] == 1.0
    header = out.splitlines()[0]
    assert "editors" in header and "meaning_B" in header


def test_without_b_no_editor_figures(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--data", str(folder))
    assert code == 0 and "editors" not in last_json(out)["overall"]


def test_a_b_file_missing_an_id_is_named(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_b(folder, drop="c4")
    code, out, err = run(capsys, "--data", str(folder))
    assert code == 2 and out == ""
    assert "contributions.csv:5: field 'id': 'c4' is not in gold_B.csv" in err
    write_csv(folder / "gold_B.csv", ["id", "question", "theme"],
              [[i, q, g] for i, q, _, g in ROWS] + [["c99", "q1", "x"]])  # fmt: skip
    code, _, err = run(capsys, "--data", str(folder))
    assert code == 2 and "gold_B.csv:16: field 'id': 'c99' is not in contributions.csv" in err
    write_csv(folder / "gold_B.csv", ["id", "question"], [[i, q] for i, q, _, _ in ROWS])
    code, _, err = run(capsys, "--data", str(folder))
    assert code == 2 and "gold_B.csv:1: missing column(s) theme" in err


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("development: [q1, q2]\nheld_out: [q2, q3]\n", "field 'held_out': q2 also under 'development'"),
        ("development: [q1]\nheld_out: [q3]\n", "field 'development': q2 in neither list"),
        ("held_out: q3\n", "field 'held_out': expected a list"),
        ("heldout: [q3]\n", "expected only the keys"),
    ],
)
def test_split_errors_are_named(folder: Path, capsys: pytest.CaptureFixture[str], spec: str, message: str) -> None:
    (folder / "split.yaml").write_text(spec, encoding="utf-8")
    code, _, err = run(capsys, "--data", str(folder))
    assert code == 2 and "split.yaml" in err and message in err


def test_read_split_keeps_file_order(tmp_path: Path) -> None:
    (tmp_path / "split.yaml").write_text("development: [q2]\nheld_out: [q3, q1]\n", encoding="utf-8")
    assert evaluate_themes.read_split(tmp_path, ["q1", "q2", "q3"]) == (["q2"], ["q1", "q3"])


def test_the_theme_benchmarks_looked_at_are_development() -> None:
    """The first ten theme benchmarks were each looked at once (EVAL_LOG.md): all their questions are development."""
    data = Path(evaluate_themes.__file__).resolve().parent / "data"
    folders = (
        "themes",
        "themes2",
        "themes3",
        "themes4",
        "themes5",
        "themes6",
        "themes7",
        "themes8",
        "themes9",
        "themes10",
    )
    for k, folder in enumerate(folders):
        questions = [f"q{4 * k + n}" for n in range(1, 5)]
        assert evaluate_themes.read_split(data / folder, questions) == (questions, [])
