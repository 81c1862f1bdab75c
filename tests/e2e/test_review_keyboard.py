"""The review queue with the keyboard only, in Chromium: digits toggle factors, Shift+digit sets
the primary, Enter accepts and opens the next answer, arrows move; decisions are stored as keyed.

The time per answer is recorded by ``bench/review_keyboard.py`` (same driver); here only what happens.
"""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import Session, select

from bench.review_keyboard import review_with_keyboard
from cips.models import Campaign
from cips.services.coding import current_model_digest, decisions, suggest
from tests.helpers import payload
from tests.review.conftest import TEXTS, KeywordModel

PASSWORD = "review e2e password"


def test_review_queue_with_the_keyboard_only(live, context) -> None:
    slug = live.campaign("online", instrument="officials")
    live.cli("user", "create", "rev-e2e@example.org", "--role", "reviewer", "--administration", "E2E Customs",
             "--password", PASSWORD)  # fmt: skip
    client = live.app.test_client()
    for lang, text in TEXTS:
        body = payload(campaign=slug, language=lang)
        body["answers"]["open_change_first"] = text
        assert client.post("/api/v1/submissions", json=body).status_code == 201
    with live.app.app_context(), Session(live.app.extensions["cips_engine"]) as session:
        campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).one()
        suggest(session, campaign, KeywordModel(), current_model_digest())  # no model run in the page

    problems: list[str] = []
    page = context.new_page()
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live.url}/login")
    page.fill("input[name=email]", "rev-e2e@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live.url}/manage/campaigns/{slug}/review/answers?unreviewed=1")
    expect(page.locator("#review-position")).to_have_text(f"Answer 1 of {len(TEXTS)}")

    # Arrows move without deciding anything.
    first = page.locator("#review-form input[name=answer_id]").get_attribute("value")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#review-position")).to_have_text(f"Answer 2 of {len(TEXTS)}")
    page.wait_for_load_state()  # the shown page's script listens for keys only once it has run
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#review-position")).to_have_text(f"Answer 1 of {len(TEXTS)}")
    assert page.locator("#review-form input[name=answer_id]").get_attribute("value") == first

    # First answer (model: hrm): 8 untoggles hrm, 3 toggles transparency, Shift+1 adds leadership as primary.
    timings = review_with_keyboard(page, live.url, 1, ["Digit8", "Digit3", "Shift+Digit1"])
    # The rest: Shift+3 makes transparency the primary, added to the model's factors.
    timings += review_with_keyboard(page, live.url, len(TEXTS) - 1, ["Shift+Digit3"])
    expect(page.locator("#review-done")).to_be_visible()
    assert len(timings) == len(TEXTS)
    assert problems == []  # no script error, no Content-Security-Policy violation

    with Session(live.app.extensions["cips_engine"]) as session:
        campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).one()
        decided = decisions(session, campaign)
    assert len(decided) == len(TEXTS)
    assert (decided[int(first)].primary, sorted(decided[int(first)].labels)) == (
        "leadership",
        ["leadership", "transparency"],
    )
    others = [d for answer_id, d in decided.items() if answer_id != int(first)]
    assert all(d.primary == "transparency" and d.coder == "rev-e2e@example.org" for d in others)
    assert all("other" not in d.labels for d in others)  # "other" gave way to the factor chosen
