"""Drive the survey PWA like a respondent: real clicks and typing, through data-testid hooks."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, expect

from cips.instruments.logic import ORDER_PREFIX
from tests.e2e.conftest import TIMEOUT_MS

READ_STORE_JS = """async (name) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("cips");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const rows = await new Promise((resolve, reject) => {
    const request = db.transaction(name).objectStore(name).getAll();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  db.close();
  return rows;
}"""


def without_order(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers without the order each randomised section was shown in: paradata the respondent did
    not type (tests/e2e/test_skip_logic.py checks it)."""
    return {k: v for k, v in answers.items() if not k.startswith(ORDER_PREFIX)}


def read_store(page: Page, name: str) -> list[dict[str, Any]]:
    """What IndexedDB holds, read directly (not through the app's own counters)."""
    return page.evaluate(READ_STORE_JS, name)


def screen(page: Page, name: str) -> None:
    expect(page.locator(f'main[data-screen="{name}"]')).to_be_visible()


def wait_offline_ready(page: Page) -> str:
    ready = page.get_by_test_id("offline-ready")
    expect(ready).to_be_visible()
    return ready.get_attribute("data-version") or ""


COUNTS_JS = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("cips");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const tx = db.transaction(["outbox", "attention", "meta"]);
  const ask = (request) => new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const [waiting, failed, sent] = await Promise.all([ask(tx.objectStore("outbox").count()),
    ask(tx.objectStore("attention").count()), ask(tx.objectStore("meta").get("sent"))]);
  db.close();
  return { waiting, failed, sent: sent ? sent.value : 0 };
}"""


def device_counts(page: Page) -> dict[str, int]:
    """Records on the device: waiting in the outbox, refused (attention), sent so far."""
    return page.evaluate(COUNTS_JS)


def expect_counts(
    page: Page, *, waiting: int | None = None, sent: int | None = None, failed: int | None = None,
    timeout_ms: int = TIMEOUT_MS,
) -> None:  # fmt: skip
    """Wait (bounded) until the device's storage holds these counts; respondents no longer see them."""
    wanted = {k: v for k, v in (("waiting", waiting), ("sent", sent), ("failed", failed)) if v is not None}
    deadline = time.monotonic() + timeout_ms / 1000
    while {k: (counts := device_counts(page))[k] for k in wanted} != wanted and time.monotonic() < deadline:
        time.sleep(0.1)
    assert {k: counts[k] for k in wanted} == wanted, counts


def send_now(page: Page) -> None:
    """The enumerator's "Send now", in the device panel (online) or the station menu (after the PIN)."""
    page.get_by_test_id("open-menu").click()
    page.get_by_test_id("send-now").click()
    page.get_by_test_id("close-menu").click()


class Respondent:
    """Answers deterministically, remembering what it answered for later comparison."""

    def __init__(self, page: Page, text_prefix: str = "Réponse") -> None:
        self.page = page
        self.text_prefix = text_prefix
        self.expected: dict[str, Any] = {}

    def start(self, instrument: str = "private_sector", language: str | None = None) -> None:
        screen(self.page, "start")
        if language:
            self.page.get_by_test_id(f"lang-{language}").click()
            expect(self.page.locator("html")).to_have_attribute("lang", language)
        self.page.get_by_test_id(f"start-{instrument}").click()
        screen(self.page, "consent")
        self.page.get_by_test_id("consent").check()
        self.page.get_by_test_id("continue").click()
        self.expect_page(1)

    def expect_page(self, number: int) -> None:
        """The respondent's part ``number``, as the progress bar counts it: sections with nothing
        asked (another role's block) are not parts."""
        screen(self.page, "section")
        expect(self.page.locator('main[data-screen="section"] progress')).to_have_attribute("value", str(number))

    def current_page(self) -> int:
        return int(self.page.locator('main[data-screen="section"] progress').get_attribute("value") or 0)

    def answer_page(self, limit: int | None = None) -> None:
        """Answer the items of the current page (the first ``limit`` only, if given)."""
        items = self.page.locator('[data-testid="page"] > .item')
        for index in range(items.count() if limit is None else limit):
            item = items.nth(index)
            item_id = (item.get_attribute("data-testid") or "").removeprefix("item-")
            kind = item.get_attribute("class") or ""
            if "item-text" in kind:
                value = f"{self.text_prefix} {item_id}: rotation des agents, ética, integridade."
                item.locator("textarea").fill(value)
                self.expected[item_id] = value
            elif "item-number" in kind:
                item.locator("input").fill("3")
                self.expected[item_id] = 3
            else:
                inputs = item.locator("input")
                choice = inputs.nth(sum(map(ord, item_id)) % inputs.count())
                choice.check()
                raw = choice.get_attribute("value") or ""
                self.expected[item_id] = int(raw) if "item-likert5" in kind and raw.isdigit() else raw

    def next(self) -> None:
        page_number = self.current_page()
        self.page.get_by_test_id("next").click()
        if self.page.locator('main[data-screen="review"]').count():
            return
        self.expect_page(page_number + 1)

    def answer_until_review(self) -> None:
        while not self.page.locator('main[data-screen="review"]').count():
            self.answer_page()
            self.page.get_by_test_id("next").click()
            expect(self.page.locator('main[data-screen="section"], main[data-screen="review"]')).to_be_visible()
        screen(self.page, "review")

    def submit(self) -> str:
        """Submit from the review page; return the submission uuid (the draft's, made at start)."""
        [draft] = read_store(self.page, "drafts")
        self.page.get_by_test_id("submit").click()
        screen(self.page, "thanks")
        return draft["uuid"]

    def checked_on_page(self) -> dict[str, str]:
        """Item id -> checked value, for every answered choice item on the current page."""
        return self.page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('[data-testid="page"] input:checked')]
                 .map((el) => [el.name, el.value]))"""
        )
