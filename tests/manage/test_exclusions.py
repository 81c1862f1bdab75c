"""Excluding a record with a reason: every figure leaves it out and says so; the record itself is kept."""

from __future__ import annotations

import io
import uuid

import openpyxl
import pytest
from flask import Flask
from sqlmodel import Session, select

import analysis
from cips.models import Answer, AuditEvent, Role, Submission, SubmissionExclusion
from tests.exports.support import post, read_csv
from tests.helpers import officials_answers
from tests.manage.test_dashboard_indices import CELL


class KeywordClassifier:
    """Stands in for the shipped model: what is tested here is which records the report reads."""

    def predict_labels(self, texts, langs=None):
        return [["hrm"] for _ in texts]


@pytest.fixture
def seven(loaded: Flask) -> list[str]:
    """Seven officials of the north; the fifth has answered 1 everywhere (the one to exclude)."""
    client = loaded.test_client()
    bodies = []
    for i in range(7):
        answers = dict(officials_answers(), bg_region="north")
        if i == 4:
            answers |= {key: 1 for key, value in answers.items() if isinstance(value, int)}
        bodies.append(post(client, answers=answers))
    return [body["uuid"] for body in bodies]


def _export_rows(manager, fmt: str = "csv") -> bytes:
    response = manager.post("/manage/campaigns/test/export",
                            data={"format": fmt, "lang": "en", "instrument": "officials" if fmt == "csv" else "",
                                  "where": ""})  # fmt: skip
    assert response.status_code == 200, response.data[:300]
    return response.data


def _dashboard_indices(manager) -> list[tuple[str, str]]:
    page = manager.get("/manage/campaigns/test/dashboard?lang=en").get_data(as_text=True)
    return CELL.findall(page.split('data-testid="indices"')[1].split("</section>")[0])


def _report_html(manager) -> str:
    response = manager.get("/manage/campaigns/test/report/view?lang=en")
    assert response.status_code == 200, response.data[:300]
    return response.get_data(as_text=True)


def test_one_exclusion_changes_export_report_and_dashboard_alike_and_is_audited(
    client_as, session: Session, seven: list[str], monkeypatch
) -> None:
    monkeypatch.setattr(analysis, "load_default_classifier", KeywordClassifier)
    manager = client_as(Role.manager)
    target = seven[4]
    before = session.exec(select(Submission).where(Submission.uuid == uuid.UUID(target))).one()
    answers_before = sorted((a.item_id, a.value_num, a.value_text) for a in
                            session.exec(select(Answer).where(Answer.submission_id == before.id)))  # fmt: skip
    assert manager.get("/manage/campaigns/test/fieldwork.json").get_json()["total"] == 7
    assert "7 respondents" in _report_html(manager)
    indices_before = _dashboard_indices(manager)
    assert indices_before == CELL.findall(_report_html(manager))

    form = {"uuid": target, "category": "fabricated", "reason": "same tablet, 2 minutes"}
    response = manager.post("/manage/campaigns/test/review/exclude", data=form)
    assert response.status_code == 303

    # Export: six rows, none of them the excluded uuid; the xlsx says why one is missing.
    rows = read_csv(_export_rows(manager))
    uuids = [row[0] for row in rows[1:]]
    assert len(uuids) == 6 and target not in uuids
    book = openpyxl.load_workbook(io.BytesIO(_export_rows(manager, "xlsx")))
    assert [[c.value for c in row] for row in book["excluded"].iter_rows()] == [
        ["category", "records_excluded"], ["fabricated", 1]]  # fmt: skip
    # Dashboard: the same six, and the same explanation.
    fw = manager.get("/manage/campaigns/test/fieldwork.json").get_json()
    assert fw["total"] == 6 and fw["excluded"] == {"fabricated": 1}
    page = manager.get("/manage/campaigns/test/dashboard").get_data(as_text=True)
    assert "1 record excluded by a manager is left out" in page and "suspected fabrication (1)" in page
    # Report: six respondents (a new rendering, not the cached one of seven), and why.
    html = _report_html(manager)
    assert "6 respondents" in html and "7 respondents" not in html
    # The dashboard's indices and the report's leave out the same record: the same figures, moved.
    indices_after = _dashboard_indices(manager)
    assert indices_after == CELL.findall(html) and len(indices_after) == 10
    assert indices_after != indices_before
    assert "left out of every figure: 1 (suspected fabrication: 1)" in html
    # Audit log, and the raw record untouched.
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "submission.exclude")).all()
    assert (event.actor, event.target) == ("manager@example.org", "test")
    assert event.details == {"uuid": target, "category": "fabricated", "reason": "same tablet, 2 minutes"}
    session.expire_all()
    after = session.exec(select(Submission).where(Submission.uuid == uuid.UUID(target))).one()
    assert (after.id, after.payload_hash, after.status) == (before.id, before.payload_hash, before.status)
    assert sorted((a.item_id, a.value_num, a.value_text) for a in
                  session.exec(select(Answer).where(Answer.submission_id == after.id))) == answers_before  # fmt: skip

    # Reversible: counted again everywhere, and audited.
    response = manager.post("/manage/campaigns/test/review/reinstate", data={"uuid": target})
    assert response.status_code == 303
    fw = manager.get("/manage/campaigns/test/fieldwork.json").get_json()
    assert fw["total"] == 7 and fw["excluded"] == {}
    assert len(read_csv(_export_rows(manager))) == 8
    assert "7 respondents" in _report_html(manager)
    assert session.exec(select(SubmissionExclusion)).all() == []
    [back] = session.exec(select(AuditEvent).where(AuditEvent.action == "submission.reinstate")).all()
    assert back.details["uuid"] == target and back.details["category"] == "fabricated"


def test_exclusion_needs_a_category_and_a_reason_and_a_known_record(client_as, session: Session,
                                                                     seven: list[str]) -> None:  # fmt: skip
    manager = client_as(Role.manager)
    url = "/manage/campaigns/test/review/exclude"
    no_reason = manager.post(url, data={"uuid": seven[0], "category": "test", "reason": "  "})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_data(as_text=True).lower()
    bad_category = manager.post(url, data={"uuid": seven[0], "category": "boring", "reason": "x"})
    assert bad_category.status_code == 422
    unknown = manager.post(url, data={"uuid": "0c8a0000-0000-4000-8000-000000000000", "category": "test",
                                      "reason": "tablet test"})  # fmt: skip
    assert unknown.status_code == 422 and "has no submission" in unknown.get_data(as_text=True)
    assert session.exec(select(SubmissionExclusion)).all() == []
    assert manager.get("/manage/campaigns/test/review").status_code == 200


def test_cli_exclude_list_reinstate_and_export_says_what_was_left_out(runner, session: Session, seven: list[str],
                                                                      tmp_path) -> None:  # fmt: skip
    result = runner.invoke(args=["campaign", "exclude", "test", seven[1], "--category", "test", "--reason", "demo"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["campaign", "exclude", "test", seven[1], "--category", "test", "--reason", "demo"])
    assert again.exit_code == 1 and "already excluded" in again.output
    listing = runner.invoke(args=["campaign", "exclusions", "test"])
    assert seven[1] in listing.output and "demo" in listing.output
    out = tmp_path / "test.csv"
    result = runner.invoke(args=["export", "test", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "(officials: 6 respondents)" in result.output and "1 excluded records (test: 1" in result.output
    assert seven[1] not in out.read_text("utf-8-sig") and seven[0] in out.read_text("utf-8-sig")
    result = runner.invoke(args=["campaign", "reinstate", "test", seven[1]])
    assert result.exit_code == 0, result.output
    assert [e.actor for e in session.exec(select(AuditEvent).where(AuditEvent.action.like("submission.%")))] == [
        "cli", "cli"]  # fmt: skip
