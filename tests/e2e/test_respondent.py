"""What a respondent sees on a 800×1280 tablet: only their own questions, in their language.

No enumerator or technical text on respondent screens, a station that does not open without
a PIN, corrections from the review that come back to it, open answers that say how much room
is left, an acknowledgement when consent is declined, and a page that never stays "Loading…".
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import STATION_PIN, TIMEOUT_MS
from tests.e2e.survey import Respondent, read_store, screen, wait_offline_ready

TABLET = {"width": 800, "height": 1280}
#: Words of enumerators and operators that a respondent's screen must never carry.
TECHNICAL = ("cips campaign", "set-pin", "Install the app", "Send now", "Saved on this device", "App version")


def _tablet(browser: Any, **options: Any) -> Any:
    ctx = browser.new_context(viewport=TABLET, has_touch=True, **options)
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx


def _errors(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    return problems


def _visible_text(page: Page) -> str:
    return page.locator("body").inner_text()


def test_respondent_screens_carry_no_enumerator_text(live, browser) -> None:
    for mode in ("station", "online"):
        ctx = _tablet(browser)
        page = ctx.new_page()
        problems = _errors(page)
        slug = live.campaign(mode, pin=STATION_PIN if mode == "station" else None)
        page.goto(f"{live.url}/s/{slug}")
        wait_offline_ready(page)
        who = Respondent(page)
        screens = []
        screen(page, "start")
        screens.append(_visible_text(page))
        who.start()
        screens.append(_visible_text(page))
        who.answer_until_review()
        screens.append(_visible_text(page))
        who.submit()
        expect(page.get_by_test_id("submit-status")).to_have_attribute("data-state", "sent")
        screens.append(_visible_text(page))
        for text in screens:
            assert not [word for word in TECHNICAL if word in text], (mode, text)
        expect(page.locator("#banner")).to_be_hidden()
        expect(page.get_by_test_id("connectivity")).to_be_visible()  # online / offline: the respondent may care

        # What the enumerator (station) or a curious respondent (online) needs is in the menu.
        page.get_by_test_id("open-menu").click()
        if mode == "station":
            page.get_by_test_id("pin-input").fill(STATION_PIN)
            page.get_by_test_id("pin-submit").click()
        expect(page.get_by_test_id("menu-sent")).to_have_text("1")
        expect(page.get_by_test_id("send-now")).to_be_visible()
        assert "cips campaign" not in _visible_text(page)
        assert problems == [], (mode, problems)
        ctx.close()


def test_station_without_pin_does_not_open(live, browser) -> None:
    slug = live.campaign("station")  # no PIN set
    ctx = _tablet(browser, locale="fr-FR")
    page = ctx.new_page()
    page.goto(f"{live.url}/s/{slug}")
    screen(page, "station-no-pin")
    expect(page.locator('[data-testid^="start-"]')).to_have_count(0)
    text = _visible_text(page)
    assert "PIN" in text and "cips campaign" not in text and "set-pin" not in text
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    # Nobody can close (or open) the station from the menu while it has no PIN.
    page.get_by_test_id("open-menu").click()
    expect(page.get_by_test_id("menu-panel")).to_be_visible()
    expect(page.get_by_test_id("exit-station")).to_have_count(0)
    ctx.close()


def test_change_from_the_review_comes_back_to_it(live, browser) -> None:
    slug = live.campaign("online")
    ctx = _tablet(browser)
    page = ctx.new_page()
    page.goto(f"{live.url}/s/{slug}")
    who = Respondent(page)
    who.start()
    who.answer_until_review()
    progress = page.locator('main[data-screen="review"] progress')
    expect(progress).to_be_visible()
    assert progress.get_attribute("value") == progress.get_attribute("max")

    second = page.locator('[data-testid^="change-"]').nth(1)
    second.click()
    who.expect_page(2)
    expect(page.get_by_test_id("next")).to_have_text("Back to the review")
    page.get_by_test_id("next").click()
    screen(page, "review")  # straight back, not through every later part

    # Back to the review after a reload, too: the draft remembers where the respondent came from.
    page.locator('[data-testid^="change-"]').nth(3).click()
    who.expect_page(4)
    page.reload()
    who.expect_page(4)
    page.get_by_test_id("next").click()
    screen(page, "review")
    # An ordinary walk afterwards goes page by page again.
    page.get_by_test_id("back").click()
    last = who.current_page()
    page.get_by_test_id("back").click()
    who.expect_page(last - 1)
    page.get_by_test_id("next").click()
    who.expect_page(last)
    ctx.close()


def test_open_answer_counts_characters_and_says_when_the_limit_cuts(live, browser) -> None:
    slug = live.campaign("online")
    ctx = _tablet(browser)
    page = ctx.new_page()
    page.goto(f"{live.url}/s/{slug}")
    who = Respondent(page)
    who.start()
    while not page.locator('[data-testid="page"] textarea').count():
        who.answer_page()
        who.next()
    area = page.locator('[data-testid="page"] textarea').first
    item_id = (area.get_attribute("data-testid") or "").removeprefix("text-")
    limit = int(area.get_attribute("maxlength") or 0)
    counter = page.get_by_test_id(f"counter-{item_id}")
    expect(counter).to_contain_text(f"0 / {limit:,}")

    area.fill("word " * 10)
    expect(counter).to_contain_text(f"50 / {limit:,}")
    expect(page.get_by_test_id(f"limit-{item_id}")).to_be_hidden()

    area.fill("x" * (limit + 250))  # more than fits: cut at the limit, and the respondent is told
    expect(area).to_have_value("x" * limit)
    expect(counter).to_contain_text(f"{limit:,} / {limit:,}")
    expect(page.get_by_test_id(f"limit-{item_id}")).to_be_visible()
    expect(page.get_by_test_id(f"limit-{item_id}")).to_contain_text(f"{limit:,}")
    [draft] = read_store(page, "drafts")
    assert len(draft["answers"][item_id]) == limit
    ctx.close()


def test_menu_opens_without_a_script_error(live, browser) -> None:
    for mode in ("online", "station"):
        ctx = _tablet(browser)
        page = ctx.new_page()
        problems = _errors(page)
        slug = live.campaign(mode, pin=STATION_PIN if mode == "station" else None)
        page.goto(f"{live.url}/s/{slug}")
        wait_offline_ready(page)
        page.get_by_test_id("open-menu").click()
        if mode == "station":
            page.get_by_test_id("pin-input").fill(STATION_PIN)
            page.get_by_test_id("pin-submit").click()
        expect(page.get_by_test_id("menu-panel")).to_be_visible()
        expect(page.locator("#menu-title")).to_be_focused()
        assert problems == [], (mode, problems)
        ctx.close()


def test_without_javascript_the_notice_speaks_the_page_language(live, browser) -> None:
    slug = live.campaign("online")
    ctx = _tablet(browser, locale="fr-FR", java_script_enabled=False)
    page = ctx.new_page()
    page.goto(f"{live.url}/s/{slug}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    notice = page.get_by_test_id("noscript")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("JavaScript")
    assert "works offline" not in notice.inner_text() and "formulaire" in notice.inner_text()
    expect(page.get_by_text("Chargement…")).to_be_hidden()
    page.locator('[data-testid="noscript"] a').click()
    expect(page.get_by_test_id("survey-form").or_(page.locator(".choices"))).to_be_visible()
    ctx.close()


def test_a_script_that_fails_to_load_does_not_leave_loading_forever(live, browser) -> None:
    slug = live.campaign("online")
    ctx = _tablet(browser, locale="fr-FR")
    ctx.route("**/js/app.js", lambda route: route.fulfill(status=404, body="not found"))
    page = ctx.new_page()
    page.goto(f"{live.url}/s/{slug}")
    slow = page.get_by_test_id("loading-slow")
    expect(slow).to_be_visible(timeout=TIMEOUT_MS)  # shown after a delay, without any script
    expect(slow).to_contain_text("formulaire")
    expect(slow.locator("a")).to_have_attribute("href", f"/s/{slug}/basic")
    ctx.close()


def test_declining_consent_is_acknowledged(live, browser) -> None:
    for mode in ("online", "station"):
        slug = live.campaign(mode, pin=STATION_PIN if mode == "station" else None)
        ctx = _tablet(browser, locale="pt-BR")
        page = ctx.new_page()
        page.goto(f"{live.url}/s/{slug}")
        screen(page, "start")
        page.get_by_test_id("start-private_sector").click()
        screen(page, "consent")
        page.get_by_test_id("decline").click()
        screen(page, "declined")
        expect(page.get_by_test_id("declined")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Nada")  # in the respondent's language (pt)
        assert read_store(page, "drafts") == [] and read_store(page, "outbox") == []
        page.get_by_test_id("next-respondent" if mode == "station" else "another").click()
        screen(page, "start")
        ctx.close()


def test_likert_tiles_align_and_do_not_repeat_optional(live, browser) -> None:
    slug = live.campaign("online", instrument="officials")
    ctx = _tablet(browser, locale="fr-FR")
    page = ctx.new_page()
    page.goto(f"{live.url}/s/{slug}")
    who = Respondent(page)
    who.start(instrument="officials", language="fr")
    while not page.locator('[data-testid="page"] .item-likert5').count():
        who.answer_page()
        who.next()
    expect(page.get_by_text("Vous pouvez laisser sans réponse toute affirmation.")).to_be_visible()
    likert = page.locator('[data-testid="page"] .item-likert5')
    assert likert.count() >= 3
    expect(likert.locator(".optional")).to_have_count(0)  # the section says it once
    for index in range(likert.count()):
        tiles = likert.nth(index).locator(".opt")
        heights = {round(tiles.nth(n).locator(".opt-label").bounding_box()["height"]) for n in range(5)}
        assert len(heights) > 1, "labels of one and several lines: the case this test is about"
        tops = [tiles.nth(n).locator("input").bounding_box()["y"] for n in range(5)]
        assert max(tops) - min(tops) < 1, tops
    ctx.close()
