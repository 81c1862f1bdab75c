"""Exports and the report from the manager's pages (the export content itself: tests/exports/)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from sqlmodel import Session, select

from cips.models import AuditEvent, Role
from tests.helpers import OFFICIALS_PIN, PRIVATE_PIN, officials_answers, payload


def _submit(app: Flask, n: int, region: str = "north") -> None:
    device = app.test_client()
    for _ in range(n):
        answers = dict(officials_answers(), bg_region=region, open_change_first='=HYPERLINK("http://x")')
        assert device.post("/api/v1/submissions", json=payload(answers=answers)).status_code == 201


def test_results_export_download_from_the_page(client_as, loaded: Flask, session: Session) -> None:
    _submit(loaded, 6)
    manager = client_as(Role.manager)
    page = manager.get("/manage/campaigns/test/export")
    assert page.status_code == 200 and b"Download" in page.data
    response = manager.post("/manage/campaigns/test/export", data={"format": "xlsx", "lang": "fr",
                                                                     "instrument": "", "where": ""})  # fmt: skip
    assert response.status_code == 200, response.data[:500]
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "codebook" in book.sheetnames
    cells = [c.value for row in book[book.sheetnames[0]].iter_rows() for c in row]
    assert '\'=HYPERLINK("http://x")' in cells  # neutralised, not a live formula
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "campaign.export")).all()
    assert [e.actor for e in events] == ["manager@example.org"]


def test_results_export_of_a_small_cell_is_refused_with_the_reason(client_as, loaded: Flask) -> None:
    _submit(loaded, 6, "north")
    _submit(loaded, 2, "south")
    manager = client_as(Role.manager)
    response = manager.post("/manage/campaigns/test/export", data={"format": "csv", "lang": "en",
                                                                     "instrument": "officials",
                                                                     "where": "bg_region=south"})  # fmt: skip
    assert response.status_code == 422
    assert b"fewer than 5 respondents" in response.data and b"at least 5" in response.data
    assert b"only 2" not in response.data


def test_results_report_is_browsable_in_a_sandboxed_frame(client_as, loaded: Flask) -> None:
    manager = client_as(Role.manager)
    empty = manager.get("/manage/campaigns/test/report/view?lang=fr")
    assert empty.status_code == 409 and "aucune réponse" in empty.get_data(as_text=True)  # in the French interface
    # Framable by the report page (frame-ancestors 'none' showed the browser's broken-page icon).
    assert "frame-ancestors 'self'" in empty.headers["Content-Security-Policy"]
    assert empty.headers["X-Frame-Options"] == "SAMEORIGIN"
    page = manager.get("/manage/campaigns/test/report").get_data(as_text=True)
    assert "No responses yet" in page and "<iframe" not in page and "report.pdf" not in page
    _submit(loaded, 6)
    page = manager.get("/manage/campaigns/test/report?lang=fr")
    assert b'<iframe class="report"' in page.data
    view = manager.get("/manage/campaigns/test/report/view?lang=fr")
    assert view.status_code == 200 and view.mimetype == "text/html"
    assert "sandbox" in view.headers["Content-Security-Policy"]
    assert "script-src" not in view.headers["Content-Security-Policy"]  # default-src 'none': nothing runs
    assert b"<svg" in view.data or b"data:image" in view.data


def test_results_briefing_upload_returns_a_document(client_as, session: Session, tfidf_embeddings) -> None:
    from pathlib import Path

    import docx

    manager = client_as(Role.manager)
    assert manager.get("/manage/briefing").status_code == 200
    data = (Path(__file__).parents[1] / "data" / "contributions.csv").read_bytes()
    response = manager.post("/manage/briefing", content_type="multipart/form-data", data={
        "contributions": (io.BytesIO(data), "contributions.csv"), "title": "Briefing 2027", "lang": "fr",
        "format": "docx", "meeting": ""})  # fmt: skip
    assert response.status_code == 303, response.data[:300]
    page = manager.get(response.headers["Location"])
    assert page.status_code == 200 and b"briefing-2027.docx" in page.data
    response = manager.get(response.headers["Location"] + "/download")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    assert any(p.text == "Briefing 2027" for p in document.paragraphs)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "briefing.build")).one()
    bad = manager.post("/manage/briefing", content_type="multipart/form-data", data={
        "contributions": (io.BytesIO(b"question;answer\n"), "empty.csv"), "title": "X", "lang": "fr",
        "format": "md"}, follow_redirects=True)  # fmt: skip
    assert bad.status_code == 422 and b"empty.csv" in bad.data


def test_results_briefing_file_errors_are_in_the_interface_language(client_as) -> None:
    from html import unescape

    manager = client_as(Role.manager)
    form = {"contributions": (io.BytesIO(b"question,texte\nq1,Formation\n"), "mauvais.csv"), "title": "X",
            "lang": "fr", "format": "md"}  # fmt: skip
    page = manager.post("/manage/briefing", content_type="multipart/form-data", data=form, follow_redirects=True,
                        headers={"Accept-Language": "fr"}).get_data(as_text=True)  # fmt: skip
    assert "mauvais.csv:1\u00a0: colonne 'answer' absente (colonnes trouvées\u00a0: question, texte" in unescape(page)
    form = {"contributions": (io.BytesIO("question,answer\nq1,Réponse\n".encode("cp1252")), "latin.csv"),
            "title": "X", "lang": "fr", "format": "md", "encoding": "utf-8"}  # fmt: skip
    page = manager.post("/manage/briefing", content_type="multipart/form-data", data=form, follow_redirects=True,
                        headers={"Accept-Language": "fr"}).get_data(as_text=True)  # fmt: skip
    assert "latin.csv:2\u00a0: ce n'est pas du texte utf-8 (octet 0xe9)" in unescape(page)  # the line, in French


@pytest.mark.parametrize(
    ("name", "contributions", "questions", "french"),
    [
        (
            "bad.jsonl",
            b'{"question": "q1", "answer": "Formation"}\n{"question": "q1", answer}\n',
            None,
            "bad.jsonl:2\u00a0: JSON invalide (",
        ),
        ("list.jsonl", b'["q1", "Formation"]\n', None, "list.jsonl:1\u00a0: un objet JSON est attendu"),
        (
            "c.csv",
            b"question,answer\nq1,Formation\n",
            b"questions:\n- id: q1\n- id: q1\n",
            "q.yaml\u00a0: question 2\u00a0: champ 'id'\u00a0: 'q1' apparaît deux fois",
        ),
    ],
)
def test_results_briefing_jsonl_and_questions_errors_are_in_the_interface_language(
        client_as, name: str, contributions: bytes, questions: bytes | None, french: str) -> None:  # fmt: skip
    from html import unescape

    manager = client_as(Role.manager)
    form = {"contributions": (io.BytesIO(contributions), name), "title": "X", "lang": "fr", "format": "md"}
    if questions is not None:
        form["questions"] = (io.BytesIO(questions), "q.yaml")
    page = manager.post("/manage/briefing", content_type="multipart/form-data", data=form, follow_redirects=True,
                        headers={"Accept-Language": "fr"}).get_data(as_text=True)  # fmt: skip
    assert french in unescape(page)


def test_results_report_cache_follows_data_and_settings(client_as, loaded: Flask) -> None:
    from pathlib import Path

    _submit(loaded, 6)
    manager = client_as(Role.manager)
    cache = Path(loaded.config["REPORT_CACHE_DIR"])
    before = set(cache.glob("test-en-*.html")) if cache.exists() else set()
    assert manager.get("/manage/campaigns/test/report/view?lang=en").status_code == 200
    first = set(cache.glob("test-en-*.html")) - before
    assert len(first) == 1
    assert manager.get("/manage/campaigns/test/report/view?lang=en").status_code == 200
    assert set(cache.glob("test-en-*.html")) - before == first  # served from the cache
    form = {"slug": "test", "name": "Test survey", "wave": "1", "mode": "station",
            "instruments": [OFFICIALS_PIN, PRIVATE_PIN], "languages": ["en", "fr", "es", "pt"],
            "quotas": "officials: bg_region=north = 10"}  # fmt: skip
    assert manager.post("/manage/campaigns/test/edit", data=form).status_code == 302
    assert manager.get("/manage/campaigns/test/report/view?lang=en").status_code == 200
    assert len(set(cache.glob("test-en-*.html")) - before) == 2  # new quotas: a new rendering


def test_results_report_cache_ignores_the_models_background_coding(client_as, loaded: Flask,
                                                                    session: Session) -> None:  # fmt: skip
    """The report codes open answers itself; only people's decisions (and the model's codes of the answers
    they decided, which the review note compares) change it, not each batch of background suggestions."""
    from sqlmodel import select as sql_select

    from cips.manage.report_cache import _latest_coding
    from cips.models import Campaign
    from cips.services.coding import current_model_digest, open_answers, record_decision, suggest
    from tests.review.conftest import KeywordModel, submit_open_answers

    campaign = session.exec(sql_select(Campaign).where(Campaign.slug == "test")).one()
    submit_open_answers(loaded.test_client())
    with loaded.app_context():
        empty = _latest_coding(campaign)
        suggest(session, campaign, KeywordModel(), current_model_digest())
        assert _latest_coding(campaign) == empty  # the model's suggestions alone: the same report
        record_decision(session, campaign, open_answers(session, campaign)[0].answer_id, ["culture"], None,
                        actor="r@example.org")  # fmt: skip
        decided = _latest_coding(campaign)
        assert decided != empty and decided[1] is not None  # a decision, and the suggestion it is compared with


def test_results_the_reports_language_does_not_change_the_interfaces(client_as, loaded: Flask) -> None:
    _submit(loaded, 6)
    manager = client_as(Role.manager)  # no saved interface language: English from the browser
    page = manager.get("/manage/campaigns/test/report?lang=pt").get_data(as_text=True)
    assert "Sign out" in page and "Sair" not in page  # the interface stays English
    assert "report/view?lang=pt" in page  # the report asked for is in Portuguese
    # elsewhere ?lang= still picks the interface language of a user who saved none
    assert "Sair" in manager.get("/manage/campaigns/test/dashboard?lang=pt").get_data(as_text=True)


def test_results_every_report_page_reads_lang_as_the_reports_language(app: Flask) -> None:
    # The marker survives role_required (functools.wraps); a report page without it would switch the interface.
    for endpoint in ("manage.report", "manage.report_view", "manage.report_pdf", "manage.report_pdf_status"):
        assert getattr(app.view_functions[endpoint], "content_language", False), endpoint
    assert not getattr(app.view_functions["manage.dashboard"], "content_language", False)


def test_results_report_pdf_download(client_as, loaded: Flask, session: Session) -> None:
    _submit(loaded, 6)
    manager = client_as(Role.manager)
    response = manager.get("/manage/campaigns/test/report.pdf?lang=es")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and "test-report-es.pdf" in response.headers["Content-Disposition"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "report.export")).one()
    assert event.details == {"lang": "es", "format": "pdf", "weighted": True} and event.actor == "manager@example.org"


def test_results_briefing_too_large_gets_a_clear_message(client_as) -> None:
    from cips.services.briefings import MAX_UPLOAD_BYTES

    manager = client_as(Role.manager)
    big = b"question,answer\n" + b"q1,word\n" * (MAX_UPLOAD_BYTES // 8 + 10)
    response = manager.post("/manage/briefing", content_type="multipart/form-data", data={
        "contributions": (io.BytesIO(big), "big.csv"), "title": "X", "lang": "fr", "format": "md"})  # fmt: skip
    assert response.status_code == 422 and b"big.csv: file too large" in response.data


def test_results_report_renders_in_the_background_without_holding_the_request(client_as, loaded: Flask) -> None:
    import time

    _submit(loaded, 6)
    loaded.config["JOBS_SYNC"] = False
    manager = client_as(Role.manager)
    first = manager.get("/manage/campaigns/test/report/view?lang=pt")
    assert first.status_code == 202 and b'http-equiv="refresh"' in first.data
    assert "script-src" not in first.headers["Content-Security-Policy"]  # default-src 'none': nothing runs
    pending = manager.get("/manage/campaigns/test/report.pdf?lang=pt")
    assert pending.status_code == 302 and pending.headers["Location"].endswith("/report/pdf-status?lang=pt")
    status = manager.get(pending.headers["Location"]).get_data(as_text=True)
    # Progress, a refresh that needs no script, and no "try again in a minute".
    assert 'data-testid="pdf-pending"' in status and 'http-equiv="refresh"' in status and "<progress" in status
    assert "try again" not in status
    deadline = time.monotonic() + 120
    while (page := manager.get("/manage/campaigns/test/report/view?lang=pt")).status_code == 202:
        assert time.monotonic() < deadline, "the background rendering never finished"
        time.sleep(0.2)
    assert page.status_code == 200 and b"<svg" in page.data
    while (pdf := manager.get("/manage/campaigns/test/report.pdf?lang=pt")).status_code == 302:
        assert time.monotonic() < deadline, "the background PDF never finished"
        time.sleep(0.2)
    assert pdf.data.startswith(b"%PDF")
    ready = manager.get("/manage/campaigns/test/report/pdf-status?lang=pt").get_data(as_text=True)
    assert 'data-testid="pdf-ready"' in ready and 'href="/manage/campaigns/test/report.pdf?lang=pt"' in ready
    assert 'http-equiv="refresh"' not in ready
    cache = Path(loaded.config["REPORT_CACHE_DIR"])
    assert not list(cache.glob("*.lock")) and not list(cache.glob("*.tmp"))
