"""The manager's fieldwork dashboard updates itself in Chromium as tablets upload (no reload, no CSP error)."""

from __future__ import annotations

import json
import urllib.request

from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.helpers import officials_answers, payload

PASSWORD = "dashboard e2e password"


def _post(url: str, body: dict) -> int:
    request = urllib.request.Request(f"{url}/api/v1/submissions", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_dashboard_updates_live_without_reload(live, context) -> None:
    slug = live.campaign("station", instrument="officials")
    live.cli("campaign", "create", f"{slug}-q", "--name", "Quota survey", "--administration", "E2E Customs",
             "--new-administration", "--instrument", "officials", "--languages", "en,fr",
             "--quota", "officials:bg_region=north:6")  # fmt: skip
    live.cli("user", "create", "dash@example.org", "--role", "manager", "--administration", "E2E Customs",
             "--password", PASSWORD)  # fmt: skip
    live.app.config["DASHBOARD_REFRESH_SECONDS"] = 1
    problems: list[str] = []
    page = context.new_page()
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto(f"{live.url}/login")
    page.fill("input[name=email]", "dash@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live.url}/manage/campaigns/{slug}-q/dashboard")
    expect(page.locator("#live")).to_contain_text("No response yet")
    page.evaluate("window.__notReloaded = true")

    for _ in range(6):  # a tablet uploads while the manager watches
        answers = dict(officials_answers(), bg_region="north")
        assert _post(live.url, payload(campaign=f"{slug}-q", answers=answers)) == 201

    expect(page.locator("#live .big-number").first).to_have_text("6", timeout=TIMEOUT_MS)
    expect(page.locator("#live")).to_contain_text("representative", timeout=TIMEOUT_MS)
    assert page.evaluate("window.__notReloaded") is True  # refreshed in place
    assert problems == []  # no script error, no Content-Security-Policy violation
