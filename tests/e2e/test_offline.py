"""(a) Offline after one online visit, across a browser restart and a reload; one row once online."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.survey import Respondent, expect_counts, read_store, screen, wait_offline_ready, without_order


def test_offline_answers_survive_restart_and_reload_and_land_once(live, persistent) -> None:
    slug = live.campaign("online")
    url = f"{live.url}/s/{slug}"

    # One online visit installs the app (service worker, pre-cache) ...
    ctx = persistent()
    page = ctx.new_page()
    page.goto(url)
    version = wait_offline_ready(page)
    ctx.close()  # ... then the browser is closed,

    live.log.clear_when_quiet()
    ctx = persistent(offline=True)  # and reopened with the network off.
    page = ctx.new_page()
    page.goto(url)
    assert wait_offline_ready(page) == version
    who = Respondent(page)
    who.start(language="fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    total = int(page.locator("progress").get_attribute("max") or 0)
    half = total // 2
    for _ in range(half - 1):
        who.answer_page()
        who.next()
    who.answer_page(limit=2)  # half-way through a page too
    on_page = who.current_page()
    checked_before = who.checked_on_page()

    page.reload()  # mid-way, offline
    expect(page.get_by_test_id("restored")).to_be_visible()
    who.expect_page(on_page)
    assert who.checked_on_page() == checked_before and len(checked_before) == 2
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_test_id("back").click()
    who.expect_page(on_page - 1)
    assert len(who.checked_on_page()) > 0
    page.get_by_test_id("next").click()

    who.answer_until_review()
    uuid = who.submit()
    expect(page.get_by_test_id("submit-status")).to_have_attribute("data-state", "waiting")
    expect_counts(page, waiting=1, sent=0)
    [record] = read_store(page, "outbox")
    assert record["uuid"] == uuid and without_order(record["payload"]["answers"]) == who.expected
    assert read_store(page, "drafts") == []  # the draft left with the submission

    # Nothing reached the server while offline: the app, its data and its storage were local.
    # Except Chromium's own update check of the worker script after a navigation: the browser
    # process fetches it, outside Playwright's offline emulation (on a real offline tablet it
    # simply fails); nothing the page asked for is allowed through.
    worker_update_check = ("GET", f"/s/{slug}/sw.js")
    assert [entry for entry in live.log.snapshot() if entry != worker_update_check] == []
    assert live.count(slug) == 0

    ctx.set_offline(False)  # back online: the `online` event sends the outbox
    expect_counts(page, waiting=0, sent=1)
    expect(page.get_by_test_id("submit-status")).to_have_attribute("data-state", "sent")
    assert live.wait_for_count(slug, 1) == 1
    [row] = live.submissions(slug)
    assert str(row.uuid) == uuid and row.language == "fr" and row.device_id == record["payload"]["device_id"]
    assert without_order(live.answers(uuid)) == who.expected  # every answer, as given, through the whole chain
    assert read_store(page, "outbox") == []
    assert [m for m, p in live.log.snapshot() if p == "/api/v1/submissions"] == ["POST"]
    screen(page, "thanks")
