"""The review workbook round trip in Chromium: download it from the campaign page, fill it in,
upload it, read the diff, import; the codes are stored as imported decisions."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlmodel import Session, select

from cips.models import Campaign, CodingSource
from cips.services.coding import current_model_digest, decisions, suggest
from tests.helpers import payload
from tests.review.conftest import TEXTS, KeywordModel

PASSWORD = "workbook e2e password"


def test_review_workbook_round_trip_in_the_browser(live, context, tmp_path: Path) -> None:
    slug = live.campaign("online", instrument="officials")
    live.cli("user", "create", "wb-e2e@example.org", "--role", "manager", "--administration", "E2E Customs",
             "--password", PASSWORD)  # fmt: skip
    client = live.app.test_client()
    for lang, text in TEXTS[:3]:
        body = payload(campaign=slug, language=lang)
        body["answers"]["open_change_first"] = text
        assert client.post("/api/v1/submissions", json=body).status_code == 201
    with live.app.app_context(), Session(live.app.extensions["cips_engine"]) as session:
        campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).one()
        suggest(session, campaign, KeywordModel(), current_model_digest())

    page = context.new_page()
    page.goto(f"{live.url}/login")
    page.fill("input[name=email]", "wb-e2e@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live.url}/manage/campaigns/{slug}")
    with page.expect_download() as download:
        page.click("#review-workbook")
    path = tmp_path / "review.xlsx"
    download.value.save_as(path)

    book = load_workbook(path)
    sheet = book["review"]
    header = [c.value for c in sheet[1]]
    answer_id = int(sheet["A2"].value)
    sheet.cell(row=2, column=header.index("culture") + 1).value = 1  # one more factor, the primary
    sheet.cell(row=2, column=header.index("primary") + 1).value = "culture"
    book.save(path)

    page.set_input_files("input[name=workbook]", str(path))
    page.click("text=Show what it changes")
    expect(page.locator("#import-summary")).to_contain_text("3 rows read; 1 answers change")
    expect(page.locator("#import-changes")).to_contain_text("Morale and Organizational Culture")
    page.click("#import-apply")
    expect(page.locator(".flash.ok")).to_contain_text("1 decisions imported")
    expect(page.locator("#review-summary")).to_contain_text("1 of 3 open answers reviewed; 2 coded by the model only")

    with Session(live.app.extensions["cips_engine"]) as session:
        campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).one()
        decided = decisions(session, campaign)
    assert decided[answer_id].primary == "culture" and decided[answer_id].source == CodingSource.imported.value
