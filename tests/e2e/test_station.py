"""(d) Survey station: the next respondent starts from nothing; the PIN guards the station menu."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import STATION_PIN
from tests.e2e.survey import Respondent, expect_counts, read_store, screen, wait_offline_ready, without_order

SECRET = "Respondent A wrote this"


def test_station_next_respondent_cannot_reach_previous_answers(live, context) -> None:
    slug = live.campaign("station", pin=STATION_PIN)
    page = context.new_page()
    page.goto(f"{live.url}/healthz")  # something before the survey in this tab's history
    page.goto(f"{live.url}/s/{slug}")
    wait_offline_ready(page)
    [device_id] = [m["value"] for m in read_store(page, "meta") if m["key"] == "device_id"]

    first = Respondent(page, text_prefix=SECRET)
    first.start(language="es")
    first.answer_until_review()
    uuid = first.submit()
    expect_counts(page, waiting=0, sent=1)
    assert without_order(live.answers(uuid)) == first.expected

    # After submit: nothing of respondent A in storage, in the page or in the address.
    assert read_store(page, "drafts") == []
    assert SECRET not in page.content()
    assert page.url == f"{live.url}/s/{slug}"
    expect(page.locator("html")).to_have_attribute("lang", "es")  # thanked in their own language
    page.get_by_test_id("next-respondent").click()
    screen(page, "start")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the next one starts in the default

    # Back leaves the app (no history entries of A's pages); Forward reloads it empty.
    page.go_back()
    assert page.url.endswith("/healthz")
    page.go_forward()
    screen(page, "start")
    assert SECRET not in page.content()
    expect(page.get_by_test_id("restored")).to_have_count(0)

    second = Respondent(page)
    page.get_by_test_id("start-private_sector").click()
    screen(page, "consent")
    expect(page.get_by_test_id("consent")).not_to_be_checked()
    page.get_by_test_id("consent").check()
    page.get_by_test_id("continue").click()
    second.expect_page(1)
    while not page.locator('main[data-screen="review"]').count():
        assert second.checked_on_page() == {}
        for area in page.locator('[data-testid="page"] textarea').all():
            expect(area).to_have_value("")
        second.answer_page()
        page.get_by_test_id("next").click()
        expect(page.locator('main[data-screen="section"], main[data-screen="review"]')).to_be_visible()
    assert SECRET not in page.content()

    # Device id: made once, the same after reloads and respondents (and sent with A's answers).
    assert [m["value"] for m in read_store(page, "meta") if m["key"] == "device_id"] == [device_id]
    assert live.submissions(slug)[0].device_id == device_id


def test_station_menu_needs_the_pin(live, context) -> None:
    slug = live.campaign("station", pin=STATION_PIN)
    page = context.new_page()
    page.goto(f"{live.url}/s/{slug}")
    wait_offline_ready(page)

    page.get_by_test_id("open-menu").click()
    page.get_by_test_id("pin-input").fill("0000")
    page.get_by_test_id("pin-submit").click()
    expect(page.get_by_test_id("pin-error")).not_to_be_empty()
    expect(page.get_by_test_id("menu-panel")).to_have_count(0)
    page.get_by_test_id("pin-input").fill(STATION_PIN)
    page.get_by_test_id("pin-submit").click()
    expect(page.get_by_test_id("menu-panel")).to_be_visible()
    [device] = [m["value"] for m in read_store(page, "meta") if m["key"] == "device_id"]
    expect(page.get_by_test_id("device-id")).to_have_text(device)
    expect(page.get_by_test_id("menu-waiting")).to_have_text("0")

    # Default language for the next respondents, kept across reloads.
    page.get_by_test_id("default-lang-pt").click()
    page.get_by_test_id("close-menu").click()
    expect(page.locator("html")).to_have_attribute("lang", "pt")
    page.reload()
    screen(page, "start")
    expect(page.locator("html")).to_have_attribute("lang", "pt")

    # A respondent walked away mid-way: the enumerator discards the draft, nothing is kept.
    walked_away = Respondent(page, text_prefix="abandoned")
    walked_away.start()
    walked_away.answer_page()
    walked_away.next()
    assert len(read_store(page, "drafts")) == 1
    page.get_by_test_id("open-menu").click()
    page.get_by_test_id("pin-input").fill(STATION_PIN)
    page.get_by_test_id("pin-submit").click()
    page.get_by_test_id("discard-draft").click()
    screen(page, "start")
    assert read_store(page, "drafts") == [] and read_store(page, "outbox") == []
    assert "abandoned" not in page.content()

    # Exit: the station closes and reopens only with the PIN.
    page.get_by_test_id("open-menu").click()
    page.get_by_test_id("pin-input").fill(STATION_PIN)
    page.get_by_test_id("pin-submit").click()
    page.get_by_test_id("exit-station").click()
    screen(page, "station-closed")
    page.reload()
    screen(page, "station-closed")
    page.get_by_test_id("open-station").click()
    page.get_by_test_id("pin-input").fill(STATION_PIN)
    page.get_by_test_id("pin-submit").click()
    screen(page, "start")
