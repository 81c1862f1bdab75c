"""Saved briefings: kept row by row, re-opened, reviewed with the campaign's coding code, built from decisions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from cips.models import AuditEvent, Briefing, Coding
from cips.services.briefings import BriefingError
from cips.services.coding import (
    CodingError,
    CodingIsAppendOnly,
    decisions,
    open_answers,
    record_decision,
    suggest,
)
from cips.services.review import QueueFilters, queue, review_stats
from cips.services.saved_briefings import briefings_of, build_saved, contributions_of, get_briefing, save_briefing
from tests.briefing_review.conftest import CSV, StubModel

pytestmark = pytest.mark.usefixtures("tfidf_embeddings")


def test_a_saved_briefing_is_reopened_with_its_contributions(saved: Briefing, session: Session) -> None:
    session.expire_all()
    again = get_briefing(session, saved.id, saved.administration_id)
    assert again is not None and (again.title, again.lang, again.filename) == ("Consultation 2027", "en", "consult.csv")
    rows = contributions_of(session, again)
    assert [(r.line, r.question, r.contributor, r.lang) for r in rows][:2] == [(2, "q1", "Norland", "en"),
                                                                              (3, "q1", "Valmont", "fr")]  # fmt: skip
    assert len(rows) == 6 and rows[0].attributable and not rows[1].attributable
    assert get_briefing(session, saved.id, saved.administration_id + 1) is None  # another administration: not found
    [summary] = briefings_of(session, saved.administration_id)
    assert (summary.briefing.id, summary.contributions, summary.reviewed) == (saved.id, 6, 0)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "briefing.save")).one()
    assert event.target == f"briefing:{saved.id}" and "Training" not in str(event.details)


def test_a_bad_file_is_refused_with_its_line_and_nothing_is_saved(loaded, session: Session) -> None:
    bad = CSV.replace(b"q2,Lusia,pt,no,", b"q2,Lusia,pt,maybe,")
    with pytest.raises(BriefingError, match=r"consult.csv:7"):
        save_briefing(session, administration_id=1, actor="m@example.org", filename="consult.csv", data=bad,
                      lang="en", title="T")  # fmt: skip
    session.rollback()
    assert session.exec(select(Briefing)).all() == []


def test_briefing_rows_are_coded_like_answers_latest_decision_wins(saved: Briefing, session: Session) -> None:
    assert suggest(session, saved, StubModel(), "abc") == 6
    rows = open_answers(session, saved)
    assert rows[0].text.startswith("Training") and len(rows) == 6
    first = rows[0].answer_id
    record_decision(session, saved, first, ["hrm", "conduct"], "conduct", actor="r@example.org")
    record_decision(session, saved, first, ["audit"], None, actor="s@example.org")
    decided = decisions(session, saved)
    assert list(decided) == [first] and (decided[first].labels, decided[first].coder) == (["audit"], "s@example.org")
    assert len(session.exec(select(Coding).where(Coding.briefing_row_id == first)).all()) == 3  # model + two
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "review.decide")).all()
    assert [e.target for e in events] == [f"briefing:{saved.id}#{first}"] * 2
    stats = review_stats(session, saved)
    assert (stats.open_answers, stats.reviewed, stats.machine_only) == (6, 1, 5)
    assert first not in {e.answer.answer_id for e in queue(session, saved, QueueFilters(unreviewed=True))}
    row = decided[first]
    row.primary = "hrm"
    with pytest.raises(CodingIsAppendOnly):
        session.commit()
    session.rollback()


def test_a_decision_cannot_name_a_row_of_another_briefing(saved: Briefing, session: Session) -> None:
    other = save_briefing(session, administration_id=saved.administration_id, actor="m@example.org",
                          filename="b.csv", data=CSV, lang="fr", title="Other")  # fmt: skip
    foreign = open_answers(session, other)[0].answer_id
    with pytest.raises(CodingError, match="no contribution"):
        record_decision(session, saved, foreign, ["hrm"], None, actor="r@example.org")


def test_the_built_briefing_uses_the_decisions_and_counts_them(saved: Briefing, session: Session) -> None:
    before = build_saved(session, saved, "md", classifier=StubModel())[0].decode()
    assert "Contributions coded by a person: 0 of 6; by the model only: 6." in before
    record_decision(session, saved, open_answers(session, saved)[0].answer_id, ["hrm"], None, actor="r@example.org")
    after = build_saved(session, saved, "md", classifier=StubModel())[0].decode()
    assert "Contributions coded by a person: 1 of 6; by the model only: 5." in after


def test_reviewed_factors_become_the_themes_tags(loaded, session: Session) -> None:
    """The example consultation (67 answers, themes formed): the model sees no factor, a person sees audit."""
    data = (Path(__file__).parents[1] / "data" / "contributions.csv").read_bytes()
    big = save_briefing(session, administration_id=1, actor="m@example.org", filename="contributions.csv",
                        data=data, lang="en", title="Example")  # fmt: skip
    before, mimetype, name = build_saved(session, big, "md", classifier=StubModel())
    tags_before = [line for line in before.decode().splitlines() if line.startswith("*Arusha factor")]
    assert not all("Audit and Investigation" in line for line in tags_before)
    answers = open_answers(session, big)
    for answer in answers:
        record_decision(session, big, answer.answer_id, ["audit"], None, actor="r@example.org")
    after = build_saved(session, big, "md", classifier=StubModel())[0].decode()
    tags = [line for line in after.splitlines() if line.startswith("*Arusha factor")]
    assert tags and all("Audit and Investigation" in line for line in tags)
    assert f"Contributions coded by a person: {len(answers)} of {len(answers)}; by the model only: 0." in after
    assert name == "example.md" and mimetype.startswith("text/markdown")


def test_the_saved_briefing_job_records_the_answers_embedded(loaded, session: Session) -> None:
    """The build job of a saved briefing leaves its embedding progress for its page, as an upload's job does."""
    import uuid

    from cips.manage.briefing_jobs import find_briefing, start_saved_briefing

    fresh = uuid.uuid4().hex  # answers never embedded before, so none comes from the shared cache
    data = b"question,answer\n" + b"".join(f"q1,Answer {n} on training {fresh}{n}.\n".encode() for n in range(6))
    kept = save_briefing(session, administration_id=1, actor="m@example.org", filename="fresh.csv", data=data,
                         lang="en", title="Fresh")  # fmt: skip
    session.commit()
    loaded.config["JOBS_SYNC"] = True
    with loaded.test_request_context():
        job = find_briefing(start_saved_briefing(7, kept, "md"), 7)
        assert job is not None and job.state() == "done", job and job.error()
        done, total = job.progress() or (0, 0)
    assert 0 < done == total <= 6
