"""Every held-out run is logged (analysis.ledger) and README lists the ledger's rows."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from analysis import eval_report, ledger
from analysis.eval_report import HELDOUT_PATH, LEDGER_PATH, heldout_run

README = Path(__file__).resolve().parents[2] / "README.md"
ROWS = [
    {"text": "More training and rotation of officers.", "lang": "en", "labels": ["hrm"], "group": "h1"},
    {"text": "Plus de formation et de rotation des agents.", "lang": "fr", "labels": ["hrm"], "group": "h1"},
    {"text": "Thank you for the programme.", "lang": "en", "labels": ["other"]},
    {"text": "Publish every ruling online.", "lang": "en", "labels": ["transparency"]},
]


class StubModel:
    """Says hrm for the French line only: one of the two translations is wrong."""

    def predict_labels(self, texts, langs=None):
        return [["hrm"] if "formation" in t else ["other"] for t in texts]


def test_readme_lists_every_run_of_the_ledger() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- evallog:start -->", 1)[1].split("<!-- evallog:end -->", 1)[0].strip()
    rows = ledger.read_rows(LEDGER_PATH)
    assert block == ledger.table(rows)
    assert [row["#"] for row in rows] == [str(i) for i in range(1, len(rows) + 1)]
    # The first blind set's looks, reconstructed from git history, stay on record.
    assert sum(row["set"] == "rad_blind.jsonl sha256:f9fde6c06eca" for row in rows) >= 7


def test_the_heldout_set_is_read_only_by_make_eval() -> None:
    assert HELDOUT_PATH.name == "rad_heldout.jsonl" and HELDOUT_PATH.parent.name == "data"
    analysis_dir = Path(eval_report.__file__).parent
    readers = [p.name for p in analysis_dir.rglob("*.py") if "HELDOUT_PATH" in p.read_text(encoding="utf-8")]
    assert readers == ["eval_report.py"]


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git checkout holding a held-out file and a ledger; eval_report pointed at it."""

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.org")
    git("config", "user.name", "t")
    (tmp_path / "analysis").mkdir()
    held = tmp_path / "analysis" / "rad_heldout.jsonl"
    held.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n", encoding="utf-8")
    log = tmp_path / "EVAL_LOG.md"
    log.write_text(f"# Ledger\n\n{ledger.START}\n{ledger.table([])}\n{ledger.END}\n", encoding="utf-8")
    git("add", ".")
    git("commit", "-qm", "held-out set")
    monkeypatch.setattr(eval_report, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(eval_report, "LEDGER_PATH", log)
    return tmp_path, held, log, git


def test_heldout_run_is_logged_before_its_figures_with_commit_and_clean_tree(repo) -> None:
    root, held, log, _ = repo
    commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    result = heldout_run(StubModel(), held, allow_dirty=False, look_again=False)
    [row] = ledger.read_rows(log)
    assert row["#"] == "1" and row["commit"] == commit.strip()[:10] and row["tree"] == "clean"
    assert row["set"] == f"rad_heldout.jsonl sha256:{ledger.file_digest(held)}"
    # Predicted other, hrm, other, other: F1 hrm 2/3, transparency 0, other 1/2 (precision 1/3)
    # -> macro 0.389; micro 2·2 / (2·2 + 2 + 2) = 0.5; primary 2 of 4.
    assert (row["n"], row["macro-F1"], row["micro-F1"], row["primary accuracy"]) == ("4", "0.389", "0.5", "0.5")
    assert row["same primary in 4 languages"] == "0/1"  # the group's two languages disagree
    assert result["macro_f1"] == 0.389 and "gain_ci" in result


def test_heldout_run_refuses_a_dirty_tree_unless_allowed_and_logs_it_dirty(repo) -> None:
    root, held, log, _ = repo
    (root / "analysis" / "tuned.py").write_text("THRESHOLD = 0.3\n", encoding="utf-8")  # untracked, in analysis/
    with pytest.raises(SystemExit, match="--allow-dirty"):
        heldout_run(StubModel(), held, allow_dirty=False, look_again=False)
    assert ledger.read_rows(log) == []
    heldout_run(StubModel(), held, allow_dirty=True, look_again=False)
    assert [row["tree"] for row in ledger.read_rows(log)] == ["dirty"]


def test_heldout_run_two_sets_in_one_run_are_both_clean(repo) -> None:
    """The first look writes the ledger; the second set of the same `make eval` is not refused as dirty."""
    root, held, log, git = repo
    second = root / "analysis" / "rad_realstyle_heldout11.jsonl"
    second.write_text(held.read_text(encoding="utf-8"), encoding="utf-8")
    git("add", ".")
    git("commit", "-qm", "a second held-out set")
    state = ledger.git_state(root)
    heldout_run(StubModel(), held, allow_dirty=False, look_again=False, state=state)
    heldout_run(StubModel(), second, allow_dirty=False, look_again=False, state=state)
    assert [row["tree"] for row in ledger.read_rows(log)] == ["clean", "clean"]
    with pytest.raises(SystemExit, match="--allow-dirty"):  # taken afresh, the ledger's new rows are a change
        heldout_run(StubModel(), second, allow_dirty=False, look_again=True)


def test_heldout_set_is_looked_at_once_unless_asked_again(repo, capsys) -> None:
    _, held, log, git = repo
    assert heldout_run(StubModel(), held, allow_dirty=False, look_again=False) is not None
    git("commit", "-qam", "ledger")
    assert heldout_run(StubModel(), held, allow_dirty=False, look_again=False) is None
    assert "already looked at (ledger run 1)" in capsys.readouterr().err
    assert heldout_run(StubModel(), held, allow_dirty=False, look_again=True) is not None
    assert [row["note"] for row in ledger.read_rows(log)] == ["make eval", "make eval, looked at again"]


def test_heldout_run_without_the_file_scores_nothing(repo) -> None:
    root, _, log, _ = repo
    assert heldout_run(StubModel(), root / "absent.jsonl", allow_dirty=False, look_again=False) is None
    assert ledger.read_rows(log) == []
