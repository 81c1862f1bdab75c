"""Paradata in the browser: time and changed answers per section, kept across a reload, exported."""

from __future__ import annotations

import io
import time
from typing import Any

import openpyxl
from playwright.sync_api import Page
from sqlmodel import Session

from cips.services.exports import build_export
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.survey import Respondent, read_store
from tests.exports.support import PRIVATE, post, private_answers


def _draft_paradata(page: Page, section: str, changes: int) -> dict[str, Any]:
    """The draft's paradata of ``section`` once it counts ``changes`` (bounded wait for the write)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        [draft] = read_store(page, "drafts")
        entry = (draft.get("paradata") or {}).get(section)
        if (entry and entry["changes"] == changes) or time.monotonic() > deadline:
            assert entry and entry["changes"] == changes, draft.get("paradata")
            return entry
        time.sleep(0.1)


def test_paradata_counts_a_changed_answer_survives_a_reload_and_is_exported(live, browser) -> None:
    slug = live.campaign("online")
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live.url}/s/{slug}")
    who = Respondent(page)
    who.start()
    section = (page.locator("main h1").get_attribute("data-testid") or "").removeprefix("section-")
    who.answer_page()
    # The respondent changes their mind on one answer: one change, whatever else they answered.
    item = page.locator('[data-testid="page"] > .item-single, [data-testid="page"] > .item-likert5').first
    chosen = item.locator("input:checked").get_attribute("value")
    item.locator(f'input:not([value="{chosen}"])').first.check()
    page.wait_for_timeout(1500)  # time on the page, to be counted
    page.get_by_test_id("next").click()  # leaving the page adds its time to the draft
    who.expect_page(2)
    first_visit = _draft_paradata(page, section, 1)
    assert first_visit["ms"] >= 1500

    # Back to the first page, then a reload on it: the count goes on from the stored draft.
    page.get_by_test_id("back").click()
    who.expect_page(1)
    page.reload()
    who.expect_page(1)
    page.wait_for_timeout(1200)
    page.get_by_test_id("next").click()
    who.expect_page(2)
    assert _draft_paradata(page, section, 1)["ms"] >= first_visit["ms"] + 1200

    who.answer_until_review()
    uuid = who.submit()
    assert live.wait_for_count(slug, 1) == 1
    [stored] = live.submissions(slug)
    assert str(stored.uuid) == uuid
    assert stored.paradata[section]["changes"] == 1 and stored.paradata[section]["seconds"] >= 3
    assert sum(entry["changes"] for entry in stored.paradata.values()) == 1  # first answers are not changes
    assert set(stored.paradata) <= {s.id for s in PRIVATE.sections}

    client = live.app.test_client()
    for _ in range(4):  # an export needs five respondents (privacy rule)
        post(client, campaign=slug, instrument="private_sector", instrument_version=PRIVATE.version,
             language="es", answers=private_answers())  # fmt: skip
    with Session(live.app.extensions["cips_engine"]) as session:
        export = build_export(session, slug, "xlsx", actor="e2e@example.org")
    rows = list(openpyxl.load_workbook(io.BytesIO(export.data))["paradata"].iter_rows(values_only=True))
    mine = {row[2]: row for row in rows[1:] if row[0] == uuid}
    assert mine[section][3:5] == (stored.paradata[section]["seconds"], 1)
    assert {row[0] for row in rows[1:]} == {uuid}  # the API-posted records carried none
    page.close()


RULES_JS = """async () => {
  const p = await import("/s/_static/js/paradata.js");
  const draft = {};
  p.choiceAnswered(draft, "a", null, 3);             // first answer: not a change
  p.choiceAnswered(draft, "a", 3, 3);                // the same again: not a change
  p.choiceAnswered(draft, "a", 3, 4);                // replaced: 1
  p.choiceAnswered(draft, "a", 4, null);             // cleared: 2
  p.choiceAnswered(draft, "b", ["x"], ["x", "y"]);   // ticking more is still answering
  p.choiceAnswered(draft, "b", ["x", "y"], ["y"]);   // unticking: 1
  p.typedCommitted(draft, "c", "open_1");            // typed and left: given
  p.typedCommitted(draft, "c", "open_1");            // edited later: 1
  draft.paradata.c.ms = 10 ** 12;                    // beyond the server's bound
  draft.paradata.c.changes = 10 ** 6;
  const limits = { seconds: 86400, changes: 10000 };
  return { sent: p.payload(draft, limits), none: p.payload({}, limits), given: draft.paradata.c.given };
}"""


def test_paradata_rules_of_a_change_and_the_caps(live, browser) -> None:
    """What counts as a changed answer, what is kept of typed ones (the item id only), and the caps."""
    slug = live.campaign("online")
    page = browser.new_page()
    page.goto(f"{live.url}/s/{slug}")
    result = page.evaluate(RULES_JS)
    assert result["sent"] == {"a": {"seconds": 0, "changes": 2}, "b": {"seconds": 0, "changes": 1},
                              "c": {"seconds": 86400, "changes": 10000}}  # fmt: skip
    assert result["none"] is None and result["given"] == ["open_1"]
    page.close()
