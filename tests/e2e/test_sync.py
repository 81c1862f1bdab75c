"""(b) Server errors are retried with backoff; (c) a new app version never loses waiting records."""

from __future__ import annotations

from playwright.sync_api import Route, expect

from tests.e2e.survey import Respondent, expect_counts, read_store, screen, send_now, wait_offline_ready, without_order

SUBMISSIONS = "**/api/v1/submissions"


def test_server_errors_are_retried_until_stored_once(live, context) -> None:
    slug = live.campaign("online")
    calls: list[int] = []

    def flaky_server(route: Route) -> None:
        calls.append(len(calls) + 1)
        if len(calls) <= 2:  # the first two uploads meet a failing server
            route.fulfill(status=500, content_type="application/json", body='{"error": "internal error"}')
        else:
            route.continue_()

    context.route(SUBMISSIONS, flaky_server)
    page = context.new_page()
    page.goto(f"{live.url}/s/{slug}")
    who = Respondent(page)
    who.start()
    who.answer_until_review()
    uuid = who.submit()

    # Retried by the backoff timer alone (no click): 500, 500, then stored.
    expect_counts(page, waiting=0, sent=1, failed=0)
    expect(page.get_by_test_id("submit-status")).to_have_attribute("data-state", "sent")
    assert len(calls) == 3
    assert live.wait_for_count(slug, 1) == 1
    assert without_order(live.answers(uuid)) == who.expected
    assert read_store(page, "outbox") == [] and read_store(page, "attention") == []


def test_new_app_version_keeps_waiting_records(live, context, monkeypatch) -> None:
    slug = live.campaign("online")
    context.route(SUBMISSIONS, lambda route: route.abort("internetdisconnected"))  # uploads cannot get through
    page = context.new_page()
    page.goto(f"{live.url}/s/{slug}")
    old_version = wait_offline_ready(page)

    uuids = []
    for n in range(2):
        who = Respondent(page, text_prefix=f"Respondent {n}")
        who.start()
        who.answer_until_review()
        uuids.append(who.submit())
        if n == 0:
            page.get_by_test_id("another").click()
    expect_counts(page, waiting=2, sent=0)
    outbox_before = read_store(page, "outbox")
    assert sorted(r["uuid"] for r in outbox_before) == sorted(uuids)

    # The server publishes a new version; the device finds it and switches while records wait.
    monkeypatch.setitem(live.app.config, "PWA_VERSION_SALT", f"second release of {slug}")  # undone after the test
    # Not awaited: the app may reload into the new version before update()'s promise settles.
    page.evaluate("navigator.serviceWorker.getRegistration().then((reg) => { reg.update(); })")
    expect(page.get_by_test_id("offline-ready")).not_to_have_attribute("data-version", old_version)
    new_version = wait_offline_ready(page)
    assert new_version != old_version
    caches = page.evaluate("caches.keys()")
    assert caches == [f"cips-{slug}-{new_version}"]  # the old cache is gone, only caches were deleted
    outbox_after = read_store(page, "outbox")
    assert [r["payload"] for r in outbox_after] == [r["payload"] for r in outbox_before]
    expect_counts(page, waiting=2, sent=0)
    assert live.count(slug) == 0

    context.unroute(SUBMISSIONS)
    send_now(page)
    expect_counts(page, waiting=0, sent=2)
    assert live.wait_for_count(slug, 2) == 2
    assert {str(s.uuid) for s in live.submissions(slug)} == set(uuids)
    screen(page, "start")
