"""Online mode with one-time invitation links: a second use gets a clear message and is kept."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.survey import Respondent, expect_counts, read_store, screen, without_order


def test_invitation_link_works_once_and_the_refusal_is_kept(live, browser) -> None:
    slug = live.campaign("online", invite_only=True)
    [link] = live.cli("campaign", "invite", slug, "--count", "1").split()
    url = f"{live.url}{link}"

    first_ctx = browser.new_context()
    page = first_ctx.new_page()
    page.goto(f"{live.url}/s/{slug}")  # without the token: told what is needed
    screen(page, "invite-needed")
    page.goto(url)
    first = Respondent(page)
    first.start()
    first.answer_until_review()
    first.submit()
    expect(page.get_by_test_id("submit-status")).to_have_attribute("data-state", "sent")
    first_ctx.close()

    second_ctx = browser.new_context(accept_downloads=True)  # someone else, same link
    page = second_ctx.new_page()
    page.goto(url)
    second = Respondent(page)
    second.start()
    second.answer_until_review()
    uuid = second.submit()
    status = page.get_by_test_id("submit-status")
    expect(status).to_have_attribute("data-state", "refused")
    expect(status).to_contain_text("already been used")
    expect_counts(page, waiting=0, failed=1)
    assert live.count(slug) == 1

    # Kept on the device, listed, and exportable as a JSON file.
    [kept] = read_store(page, "attention")
    assert kept["uuid"] == uuid and kept["status"] == 409 and kept["response"]["field"] == "invite_token"
    page.get_by_test_id("open-menu").click()
    expect(page.get_by_test_id("attention-list")).to_contain_text(uuid[:8])
    with page.expect_download() as download:
        page.get_by_test_id("export-attention").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [r["payload"] for r in exported["records"]] == [kept["payload"]]
    assert without_order(exported["records"][0]["payload"]["answers"]) == second.expected
    second_ctx.close()
