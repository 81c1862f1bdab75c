"""Action plans: a manager records measures for unfavourable factors; the next wave's report, the plan
exports and the programme's aggregate file show them."""

from __future__ import annotations

import io
import json
import re

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from cips.models import ActionMeasure, Administration, AuditEvent, Campaign, Role, UserCreate
from cips.services.users import create_user
from tests.manage.conftest import PASSWORD, sign_in


@pytest.fixture
def manager(app, runner, session, tmp_path):
    app.config["REPORT_CACHE_DIR"] = str(tmp_path / "report_cache")
    assert runner.invoke(args=["instruments", "load"]).exit_code == 0
    assert runner.invoke(args=["demo", "--responses", "60", "--seed", "5"]).exit_code == 0
    wave1 = session.exec(select(Campaign).where(Campaign.slug == "demo-wave1")).one()
    admin = session.get(Administration, wave1.administration_id)
    create_user(session, UserCreate(email="plan@example.org", role=Role.manager, password=PASSWORD,
                                    administration_id=admin.id), actor="t")  # fmt: skip
    client = app.test_client()
    assert sign_in(client, "plan@example.org").status_code == 302
    return client


def test_manage_actions_record_update_and_show_in_next_wave_report(manager, runner, session, tmp_path) -> None:
    page = manager.get("/manage/campaigns/demo-wave1/actions")
    assert page.status_code == 200 and 'data-testid="factor-status"' in page.text
    # The indices in the interface's number format: "62,3" in French, "62.3" in English.
    status = page.text.split('data-testid="factor-status"')[1].split("</table>")[0]
    assert re.search(r": \d+\.\d\b", status)
    french = manager.get("/manage/campaigns/demo-wave1/actions?lang=fr").text
    status = french.split('data-testid="factor-status"')[1].split("</table>")[0]
    assert re.search(r": \d+,\d\b", status) and not re.search(r": \d+\.\d\b", status)
    token = ""  # CSRF is off in tests (test_manage_auth.py checks it on)
    bad = manager.post("/manage/campaigns/demo-wave1/actions", data={
        "csrf_token": token, "factor": "hrm", "what": "x", "owner": "HR", "status": "planned",
        "evidence_url": "javascript:alert(1)"})  # fmt: skip
    assert bad.status_code == 422 and "http:// or https://" in bad.text
    ok = manager.post("/manage/campaigns/demo-wave1/actions", data={
        "csrf_token": token, "factor": "hrm", "what": "Publish promotion criteria and panels",
        "owner": "HR directorate", "due": "2027-03-31", "status": "in_progress",
        "evidence_url": "https://example.org/circular", "shared": "y"})  # fmt: skip
    assert ok.status_code == 303
    measure = session.exec(select(ActionMeasure)).one()
    assert measure.factor == "hrm" and measure.shared and measure.created_by == "plan@example.org"
    done = manager.post("/manage/campaigns/demo-wave1/actions/status",
                        data={"csrf_token": token, "measure_id": str(measure.id), "status": "done"})  # fmt: skip
    assert done.status_code == 303
    session.refresh(measure)
    assert measure.status.value == "done" and measure.evidence_url == "https://example.org/circular"
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.target == "demo-wave1"))]
    assert "actions.add" in actions and "actions.update" in actions

    out = tmp_path / "r.html"
    result = runner.invoke(args=["report", "demo", "--lang", "fr", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Mesures prises depuis la vague précédente" in html and "Publish promotion criteria and panels" in html
    assert "réalisée" in html  # the measure's status, in the report's language
    assert re.search(r'rowspan="1">[+-]\d+,\d\*?</td>', html)  # the factor's change, signed, French decimal mark

    xlsx = manager.get("/manage/campaigns/demo-wave1/actions/plan.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("factor", "factor_name", "change") and rows[1][3] == "Publish promotion criteria and panels"
    docx = Document(io.BytesIO(manager.get("/manage/campaigns/demo-wave1/actions/plan.docx").data))
    text = "\n".join(p.text for p in docx.paragraphs) + "".join(
        c.text for t in docx.tables for r in t.rows for c in r.cells
    )
    assert "Action plan" in text and "HR directorate" in text
    assert manager.get("/manage/campaigns/demo-wave1/actions/plan.pdf").status_code == 404


def test_manage_actions_cli_and_shared_measures_in_the_aggregate_file(manager, runner, tmp_path) -> None:
    added = runner.invoke(args=["actions", "add", "demo", "--factor", "automation", "--what", "Audit system logs",
                                "--owner", "IT", "--due", "2027-01-15", "--shared"])  # fmt: skip
    assert added.exit_code == 0, added.output
    private = runner.invoke(
        args=["actions", "add", "demo", "--factor", "hrm", "--what", "Internal only", "--owner", "HR"]
    )
    assert private.exit_code == 0
    listed = runner.invoke(args=["actions", "list", "demo"])
    assert "Audit system logs" in listed.output and "automation" in listed.output
    assert (
        runner.invoke(args=["actions", "add", "demo", "--factor", "hrm", "--what", " ", "--owner", "HR"]).exit_code != 0
    )
    out = tmp_path / "plan.docx"
    assert runner.invoke(args=["actions", "export", "demo", "--out", str(out), "--lang", "fr"]).exit_code == 0
    assert "Plan d'action" in "\n".join(p.text for p in Document(str(out)).paragraphs)

    agg = tmp_path / "agg.json"
    result = runner.invoke(args=["aggregates", "export", "demo", "--with-measures", "--out", str(agg)])
    assert result.exit_code == 0, result.output
    measures = json.loads(agg.read_text())["document"]["measures"]
    assert measures == [{"factor": "automation", "what": "Audit system logs", "status": "planned", "due": "2027-01-15"}]
