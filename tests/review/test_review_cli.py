"""``cips review export|import|stats``: the workbook goes out, comes back as codes only, with a preview."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import Session, select

from cips.models import AuditEvent, Campaign, CodingSource
from cips.services.coding import current_model_digest, decisions, suggest
from tests.review.conftest import TEXTS, KeywordModel


def _edit(path: Path, out: Path, changes: dict[tuple[int, str], object]) -> None:
    """Set cells of the review sheet by (data row, column name)."""
    book = load_workbook(path)
    sheet = book["review"]
    header = [c.value for c in sheet[1]]
    for (row, column), value in changes.items():
        sheet.cell(row=row + 2, column=header.index(column) + 1).value = value
    book.save(out)


def test_review_workbook_round_trip_on_the_command_line(answered: Campaign, session: Session, runner,
                                                        tmp_path: Path) -> None:  # fmt: skip
    suggest(session, answered, KeywordModel(), current_model_digest())
    out = tmp_path / "review.xlsx"
    result = runner.invoke(args=["review", "export", "test", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out.stat().st_mode & 0o777) == 0o600  # it holds the answers' text
    sheet = load_workbook(out)["review"]
    assert sheet.max_row == len(TEXTS) + 1
    first_id = int(sheet["A2"].value)

    edited = tmp_path / "edited.xlsx"
    _edit(out, edited, {(0, "hrm"): None, (0, "audit"): 1, (0, "primary"): "audit"})
    preview = runner.invoke(args=["review", "import", "test", str(edited)])
    assert preview.exit_code == 0, preview.output
    assert f"answer {first_id}: hrm (model) -> audit [primary audit, correct]" in preview.output
    assert decisions(session, answered) == {}  # a preview stores nothing

    applied = runner.invoke(args=["review", "import", "test", str(edited), "--apply"])
    assert applied.exit_code == 0, applied.output
    session.expire_all()
    decided = decisions(session, answered)
    assert list(decided) == [first_id]
    assert (decided[first_id].labels, decided[first_id].source) == (["audit"], CodingSource.imported.value)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "review.import")).one().details == {
        "decisions": 1
    }

    stats = runner.invoke(args=["review", "stats", "test", "--json"])
    assert json.loads(stats.output)["reviewed"] == 1 and json.loads(stats.output)["machine_only"] == len(TEXTS) - 1


def test_a_bad_cell_is_named_and_nothing_is_imported(answered: Campaign, session: Session, runner,
                                                    tmp_path: Path) -> None:  # fmt: skip
    suggest(session, answered, KeywordModel(), current_model_digest())
    out = tmp_path / "review.xlsx"
    assert runner.invoke(args=["review", "export", "test", "--out", str(out)]).exit_code == 0
    edited = tmp_path / "edited.xlsx"
    _edit(out, edited, {(0, "audit"): 1, (0, "primary"): "bribery", (1, "text"): "someone rewrote the answer"})
    result = runner.invoke(args=["review", "import", "test", str(edited), "--apply"])
    assert result.exit_code == 1
    assert "review!" in result.output and "bribery" in result.output
    assert "2 errors; nothing imported" in result.output
    assert decisions(session, answered) == {}
    not_xlsx = tmp_path / "notes.xlsx"
    not_xlsx.write_bytes(b"not a workbook")
    refused = runner.invoke(args=["review", "import", "test", str(not_xlsx)])
    assert refused.exit_code == 1 and "not a review workbook" in refused.output


def test_stats_marks_a_coder_kappa_on_few_pairs(answered: Campaign, runner, monkeypatch) -> None:
    from cips.cli import coding_review
    from cips.services.review import ReviewStats

    def stats(pairs: int) -> ReviewStats:
        return ReviewStats(open_answers=80, reviewed=60, suggested=80, second_coded=pairs, model_kappa=0.8,
                           coder_kappa=0.71)  # fmt: skip

    monkeypatch.setattr(coding_review, "review_stats", lambda *a, **k: stats(5))
    few = runner.invoke(args=["review", "stats", "test"])
    assert "coder-coder kappa (primary): 0.71 (n = 5 answers coded twice; too few to rely on, under 30)" in few.output
    assert json.loads(runner.invoke(args=["review", "stats", "test", "--json"]).output)["coder_too_few"] is True
    monkeypatch.setattr(coding_review, "review_stats", lambda *a, **k: stats(30))
    enough = runner.invoke(args=["review", "stats", "test"])
    assert "coder-coder kappa (primary): 0.71 (n = 30 answers coded twice)" in enough.output


def test_stats_print_the_model_kappa_with_its_n_and_say_when_it_is_not_computed(answered: Campaign, runner,
                                                                                monkeypatch) -> None:  # fmt: skip
    from cips.cli import coding_review
    from cips.services.review import ReviewStats

    def stats(pairs: int, kappa: float | None) -> ReviewStats:
        return ReviewStats(open_answers=80, reviewed=pairs, suggested=80, second_coded=0, model_kappa=kappa,
                           coder_kappa=None, model_pairs=pairs)  # fmt: skip

    monkeypatch.setattr(coding_review, "review_stats", lambda *a, **k: stats(42, 0.8))
    out = runner.invoke(args=["review", "stats", "test"]).output
    assert "model-reviewer kappa (primary): 0.8 (n = 42 answers compared)" in out
    assert "coder-coder kappa (primary): not computed: fewer than 5 answers coded twice" in out
    monkeypatch.setattr(coding_review, "review_stats", lambda *a, **k: stats(12, 0.8))
    few = runner.invoke(args=["review", "stats", "test"]).output
    assert "model-reviewer kappa (primary): 0.8 (n = 12 answers compared; too few to rely on, under 30)" in few
    monkeypatch.setattr(coding_review, "review_stats", lambda *a, **k: stats(3, None))
    # Under 5 pairs: not computed, and the count of 1 to 4 is not printed (the small-cell rule).
    none = runner.invoke(args=["review", "stats", "test"]).output
    assert "model-reviewer kappa (primary): not computed: fewer than 5 answers compared" in none
    assert "n = 3" not in none
