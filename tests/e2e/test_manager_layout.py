"""What a manager and an admin see on a 1366×768 laptop: aligned controls, unwrapped dates,
a confirmation before closing a live campaign (no JavaScript needed)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

PASSWORD = "amber quilt meadow"


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")


def test_manager_layout_controls_line_up_and_closing_asks_first(live, browser) -> None:
    slug = live.campaign("station", instrument="officials")
    live.cli("user", "create", "layout@example.org", "--role", "manager", "--administration", "E2E Customs",
             "--password", PASSWORD)  # fmt: skip
    live.cli("user", "create", "layout-admin@example.org", "--role", "admin", "--password", PASSWORD)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, live.url, "layout@example.org")

    page.goto(f"{live.url}/manage/campaigns/{slug}")
    pin = page.locator("input[name=pin]").bounding_box()
    button = page.locator("input[type=submit][value='Set PIN']").bounding_box()
    assert abs((pin["y"] + pin["height"]) - (button["y"] + button["height"])) <= 12, (pin, button)

    # Closing a live campaign: a confirmation page first (JavaScript is off here), then closed.
    page.select_option("select[name=status]", "closed")
    page.click("input[type=submit][value='Change status']")
    expect(page.get_by_test_id("status-confirm")).to_be_visible()
    expect(page.locator("h1 .status")).to_have_text("Open")
    page.get_by_test_id("confirm-status").click()
    expect(page.locator("h1 .status")).to_have_text("Closed")

    page.goto(f"{live.url}/manage/campaigns/{slug}/edit")
    save = page.locator("input[type=submit][value='Save']").bounding_box()
    cancel = page.get_by_role("link", name="Cancel").bounding_box()
    assert cancel["x"] - (save["x"] + save["width"]) >= 8, (save, cancel)  # "Cancel" stands apart from "Save"
    context.close()

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    _sign_in(page, live.url, "layout-admin@example.org")
    expect(page).to_have_url(f"{live.url}/admin/users")
    page.goto(f"{live.url}/admin/audit")
    # Real logs carry long details (a campaign's settings): give the first row one, so the table
    # must squeeze its columns, as it did when dates wrapped over three lines.
    page.evaluate("document.querySelector('tbody tr td:last-child').textContent = 'quota north = 40 / 320 '.repeat(60)")
    when = page.locator("tbody tr td").first
    # The date's own line boxes, not the cell's height: a cell is as tall as its row, and another
    # column of the same row (a long target written by another test) may wrap.
    lines = when.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }"
    )
    assert lines == 1, f"the audit date wraps over {lines} lines"
    context.close()
