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
    assert cancel["x"] - (save["x"] + save["width"]) >= 8, (save, cancel)  # "Cancel" no longer touches "Save"
    context.close()

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    _sign_in(page, live.url, "layout-admin@example.org")
    expect(page).to_have_url(f"{live.url}/admin/users")
    page.goto(f"{live.url}/admin/audit")
    when = page.locator("tbody tr td").first
    line = float(when.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20"))
    style = "getComputedStyle(e)"
    padding = float(when.evaluate(f"e => parseFloat({style}.paddingTop) + parseFloat({style}.paddingBottom)"))
    assert when.bounding_box()["height"] - padding < 1.5 * line  # one line, not three
    context.close()
