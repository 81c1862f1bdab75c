"""Manager pages speak the interface language: titles and names instead of codes, numbers in
the locale's format, plural forms, stated limits; section completion a manager can read."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlmodel import Session, select

from cips.models import Role, User
from tests.helpers import OFFICIALS_PIN, OFFICIALS_VERSION, PRIVATE_PIN, officials_answers, payload


def _french(client: FlaskClient) -> FlaskClient:
    assert client.post("/account", data={"prefs-locale": "fr", "prefs-submit": "y"}).status_code == 302
    return client


def _submit(client: FlaskClient, n: int, **answers) -> None:
    for _ in range(n):
        body = payload(answers=dict(officials_answers(), **answers))
        assert client.post("/api/v1/submissions", json=body).status_code == 201


def test_labels_dashboard_in_french_shows_titles_language_names_and_decimal_commas(client_as, loaded) -> None:
    manager = _french(client_as(Role.manager))
    form = {"slug": "test", "name": "Test survey", "wave": "1", "mode": "station",
            "instruments": [OFFICIALS_PIN, PRIVATE_PIN], "languages": ["en", "fr", "es", "pt"],
            "quotas": "officials: bg_region=north = 60 / 400"}  # fmt: skip
    assert manager.post("/manage/campaigns/test/edit", data=form).status_code == 302
    _submit(loaded.test_client(), 30, bg_region="north")
    page = manager.get("/manage/campaigns/test/dashboard/live").get_data(as_text=True)
    assert "Agents des douanes" in page and ">officials<" not in page and f"officials v{OFFICIALS_VERSION}" not in page
    assert "<th>Français</th>" in page and "<th>fr</th>" not in page
    # ± 17,1 pts (30 of 400): a decimal comma, as the rest of the French page
    moe = re.search(r"± ([\d.,]+)", page)[1]
    assert "," in moe and "." not in moe
    assert "Nord" in page and "bg_region=north</code>" not in page


def test_labels_campaign_page_and_forms_use_titles_names_and_say_when_there_are_no_dates(client_as) -> None:
    manager = _french(client_as(Role.manager))
    page = manager.get("/manage/campaigns/test").get_data(as_text=True)
    assert "— → —" not in page and "aucune date" in page
    assert "Anglais, Français, Espagnol, Portugais" in page and "en, fr" not in page
    assert f"<code>officials v{OFFICIALS_VERSION}</code>" not in page
    assert f"Agents des douanes (version {OFFICIALS_VERSION})" in page
    form = manager.get("/manage/campaigns/new").get_data(as_text=True)
    assert "Agents des douanes" in form and "Customs officials" not in form


def test_labels_campaign_name_limit_is_stated_and_enforced_not_cut(client_as) -> None:
    manager = client_as(Role.manager)
    page = manager.get("/manage/campaigns/new").get_data(as_text=True)
    name_input = re.search(r'<input[^>]*name="name"[^>]*>', page)[0]
    assert "maxlength" not in name_input and "At most 200 characters." in page
    form = {"slug": "long", "name": "x" * 201, "wave": "1", "mode": "station", "instruments": [OFFICIALS_PIN],
            "languages": ["en"], "quotas": ""}  # fmt: skip
    refused = manager.post("/manage/campaigns/new", data=form)
    assert refused.status_code == 200 and "At most 200 characters." in refused.get_data(as_text=True)
    assert manager.post("/manage/campaigns/new", data=dict(form, name="x" * 200)).status_code == 302


def test_labels_audit_counts_with_plural_forms_and_roles_by_name(client_as, session: Session) -> None:
    admin = client_as(Role.admin)
    page = admin.get("/admin/audit", query_string={"action": "campaign.create"}).get_data(as_text=True)
    assert "<p>1 event</p>" in page and "1 events" not in page
    assert '<td class="nowrap">' in page
    users = admin.get("/admin/users").get_data(as_text=True)
    assert "<td>enumerator</td>" in users and "(administrator)" in users
    fr = _french(admin).get("/admin/users").get_data(as_text=True)
    assert "enquêteur" in fr and "(administrateur)" in fr
    assert session.exec(select(User)).first() is not None


def test_labels_section_completion_is_a_rounded_share_reaching_each_part(client_as, loaded) -> None:
    device = loaded.test_client()
    _submit(device, 10)
    later = ("reg_", "transp_", "auto_", "reform_", "audit_", "conduct_", "hrm_", "culture_", "ps_", "open_")
    for _ in range(4):  # four stop after the leadership part: 14 reached it, 10 the next
        answers = {k: v for k, v in officials_answers().items() if not k.startswith(later)}
        assert device.post("/api/v1/submissions", json=payload(answers=answers)).status_code == 201
    manager = client_as(Role.manager)
    data = manager.get("/manage/campaigns/test/fieldwork.json").json
    sections = {s["section"]: s for s in data["sections"] if s["instrument"] == f"officials v{OFFICIALS_VERSION}"}
    # 14 respondents: steps of 50 % (7 respondents), so 10 of 14 (71 %) reads 50 %, never 71 %.
    assert sections["leadership"]["reached_share"] == 1.0 and sections["regulatory"]["reached_share"] == 0.5
    assert sections["leadership"]["step"] == 0.5
    assert all(s["completion"] in (0.0, 0.5, 1.0) for s in sections.values())  # no 4-decimal figure
    page = manager.get("/manage/campaigns/test/dashboard/live").get_data(as_text=True)
    table = page.split('data-testid="sections"')[1].split("</table>")[0]
    assert "100 %" in table and "50 %" in table and "71" not in table and "n&lt;5" not in table
    assert ">—</td>" not in table  # every part has a figure
