"""A manager switches the second factor on and signs in with password + TOTP code in Chromium."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
from playwright.sync_api import expect

PASSWORD = "second factor e2e password"


class MovableClock:
    """The app's clock (cips.clock): the test moves it a step on instead of waiting 30 s."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def test_manager_signs_in_with_a_totp_code_and_a_wrong_code_is_refused(live, context, monkeypatch) -> None:
    live.cli("user", "create", "totp@example.org", "--role", "manager", "--administration", "E2E Customs",
             "--password", PASSWORD)  # fmt: skip
    clock = MovableClock()
    monkeypatch.setitem(live.app.config, "CLOCK", clock)  # the live server is shared: put it back after
    problems: list[str] = []
    page = context.new_page()
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    def password_step() -> None:
        page.goto(f"{live.url}/login")
        page.fill("input[name=email]", "totp@example.org")
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit]")

    password_step()
    page.goto(f"{live.url}/account/two-factor")
    qr = page.locator("img[src^='data:image/svg+xml']")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # drawn here, allowed by the page's CSP
    totp = pyotp.TOTP(page.locator("#totp-secret").inner_text().replace(" ", ""))
    page.fill("input[name=enrol-code]", totp.at(clock.now))
    page.click("input[type=submit]")
    expect(page.locator("h1")).to_have_text("Second factor switched on")
    assert page.locator(".recovery-codes li").count() == 10
    page.click("text=I have written them down")
    page.click("button:has-text('Sign out'), input[value='Sign out']")

    clock.now += timedelta(seconds=30)  # the next time step: the enrolment's code is spent
    password_step()
    expect(page).to_have_url(f"{live.url}/login/code")
    page.goto(f"{live.url}/manage/")
    expect(page).to_have_url(f"{live.url}/login?next=/manage/")  # not signed in before the code

    password_step()
    wrong = f"{(int(totp.at(clock.now)) + 1) % 1_000_000:06d}"
    page.fill("input[name=code]", wrong)
    page.click("input[type=submit]")
    expect(page.locator(".flash.error")).to_have_text("Wrong code.")
    page.fill("input[name=code]", totp.at(clock.now))
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{live.url}/manage/")
    expect(page.locator("header")).to_contain_text("totp@example.org")
    # No script error and no CSP violation: at most the refused code's own 401 is reported.
    assert all("status of 401" in problem for problem in problems), problems
