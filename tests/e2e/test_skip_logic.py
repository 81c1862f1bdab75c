"""Skip logic in the PWA, in Chromium: a broker does not see the transporters' block, "specify"
appears only after "other" (and its answer goes when "other" is unticked), a randomised section
keeps its order across a reload, and what is stored is what the respondent saw."""

from __future__ import annotations

import time
from pathlib import Path

import yaml
from playwright.sync_api import Page, expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.survey import read_store, screen, wait_offline_ready
from tests.test_skip_logic import logic_questionnaire, tr


def _load_logic_questionnaire(live, tmp_path: Path) -> str:
    data = logic_questionnaire()
    # A questionnaire of its own: the session's server is shared, and other tests start the newest private_sector.
    data["key"], data["version"] = "ps_logic", 1
    yes_no = [{"value": "yes", "label": tr("Yes")}, {"value": "no", "label": tr("No")}]
    border = {"id": "tr_border", "type": "single", "text": tr("Border post?"), "choices": yes_no}
    transport = {"id": "transport_block", "title": tr("Transporters"), "relevant": "ps_role == 'transport'",
                 "items": [border]}  # fmt: skip
    data["sections"].insert(2, transport)
    path = tmp_path / "logic.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    live.cli("instruments", "load", str(path))
    return live.campaign("online", instrument="ps_logic:1")


def _item(page: Page, item_id: str):
    return page.get_by_test_id(f"item-{item_id}")


def _page_items(page: Page) -> list[str]:
    ids = page.locator('[data-testid="page"] > .item').evaluate_all("els => els.map((e) => e.dataset.testid)")
    return [i.removeprefix("item-") for i in ids]


def _wait_until(condition, timeout_s: float = TIMEOUT_MS / 1000) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def _draft(page: Page) -> dict:
    drafts = read_store(page, "drafts")
    assert len(drafts) == 1
    return drafts[0]


def test_broker_skips_the_transport_block_and_specify_follows_other(live, context, tmp_path) -> None:
    slug = _load_logic_questionnaire(live, tmp_path)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live.url}/s/{slug}?lang=en")
    wait_offline_ready(page)
    page.get_by_test_id("start-ps_logic").click()
    page.get_by_test_id("consent").check()
    page.get_by_test_id("continue").click()

    expect(_item(page, "ps_role")).to_be_visible()
    expect(_item(page, "ps_channels_other")).to_have_count(0)  # not asked until "other" is ticked
    page.get_by_test_id("ps_role-broker").check()
    page.get_by_test_id("ps_channels-online").check()
    expect(_item(page, "ps_channels_other")).to_have_count(0)
    page.get_by_test_id("ps_channels-other").check()
    expect(_item(page, "ps_channels_other")).to_be_visible()
    page.get_by_test_id("text-ps_channels_other").fill("Courier")
    page.get_by_test_id("ps_channels-other").uncheck()  # hides "specify" and clears its answer
    expect(_item(page, "ps_channels_other")).to_have_count(0)
    _wait_until(lambda: "ps_channels_other" not in _draft(page)["answers"])
    page.get_by_test_id("ps_channels-other").check()
    expect(page.get_by_test_id("text-ps_channels_other")).to_have_value("")
    page.get_by_test_id("text-ps_channels_other").fill("Courier")
    page.get_by_test_id("number-ps_years").fill("12")
    page.get_by_test_id("ps_frequency-weekly").check()
    page.get_by_test_id("ps_region-headquarters").check()
    page.get_by_test_id("next").click()

    # The brokers' block, never the transporters'.
    expect(page.get_by_test_id("section-broker_block")).to_be_visible()
    expect(page.locator("#progress-label")).to_have_text("Part 2 of 13")  # the transporters' block is not counted
    page.get_by_test_id("br_licence-yes").check()
    page.get_by_test_id("next").click()
    expect(page.get_by_test_id("section-leadership")).to_be_visible()

    # A randomised section: the order drawn at the start survives a reload of the draft.
    shown = _page_items(page)
    assert sorted(shown) == ["lead_1", "lead_2", "lead_3", "lead_4"]  # the calculated index is not asked
    assert [i for i in _draft(page)["order"]["leadership"] if i != "lead_index"] == shown
    page.get_by_test_id(f"{shown[0]}-dont_know").check()  # "don't know": its own answer, not a scale point
    for item_id in shown[1:]:
        page.get_by_test_id(f"{item_id}-4").check()
    page.reload()
    expect(page.get_by_test_id("section-leadership")).to_be_visible()
    assert _page_items(page) == shown
    expect(page.get_by_test_id(f"{shown[0]}-dont_know")).to_be_checked()

    while not page.locator('main[data-screen="review"]').count():
        page.get_by_test_id("next").click()
        expect(page.locator('main[data-screen="section"], main[data-screen="review"]')).to_be_visible()
    screen(page, "review")
    expect(page.get_by_test_id("change-broker_block")).to_be_visible()
    expect(page.get_by_test_id("change-transport_block")).to_have_count(0)
    expect(page.get_by_test_id("review-ps_channels_other")).to_have_text("Courier")
    uuid = _draft(page)["uuid"]
    order = _draft(page)["order"]["leadership"]
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("submit-status")).to_have_attribute("data-state", "sent")

    stored = live.answers(uuid)
    assert stored["ps_role"] == "broker" and stored["br_licence"] == "yes"
    assert stored["ps_channels_other"] == "Courier" and "tr_border" not in stored
    assert stored[shown[0]] == "dont_know" and stored["lead_index"] == 4  # "don't know" left out of the mean
    assert yaml.safe_load(stored["order:leadership"]) == order
    assert problems == []


# When each draft write committed and when the page was redrawn, in the page's own clock.
ORDER_HOOK_JS = """
window.__events = [];
const put = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function (value, key) {
  const request = put.apply(this, arguments);
  if (this.name === "drafts") {
    const role = (value.answers || {}).ps_role;
    this.transaction.addEventListener("complete", () => window.__events.push(`saved:${role}`));
  }
  return request;
};
document.addEventListener("DOMContentLoaded", () => {
  new MutationObserver(() => window.__events.push("redrawn")).observe(document.getElementById("main"),
                                                                      { childList: true });
});
"""


def test_an_answer_is_stored_before_the_page_is_redrawn(live, context, tmp_path) -> None:
    """A tap that changes what is asked redraws the page only once its draft is stored: the redraw
    would otherwise run before the draft's transaction can commit and hold the answer back."""
    slug = _load_logic_questionnaire(live, tmp_path)
    context.add_init_script(ORDER_HOOK_JS)
    page = context.new_page()
    page.goto(f"{live.url}/s/{slug}?lang=en")
    page.get_by_test_id("start-ps_logic").click()
    page.get_by_test_id("consent").check()
    page.get_by_test_id("continue").click()
    expect(_item(page, "ps_role")).to_be_visible()
    for role in ("broker", "transport"):
        page.evaluate("() => { window.__events = []; }")
        page.get_by_test_id(f"ps_role-{role}").check()  # the blocks asked change: the page is redrawn
        _wait_until(lambda: "redrawn" in page.evaluate("() => window.__events"))
        events = page.evaluate("() => window.__events")
        assert f"saved:{role}" in events, events
        assert events.index(f"saved:{role}") < events.index("redrawn"), events
