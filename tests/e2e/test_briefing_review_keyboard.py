"""A saved briefing's contributions reviewed with the keyboard only, in Chromium: the campaign queue's
template and script, fed by the briefing's rows; two decisions stored as keyed, then the end of the queue."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import Session

from bench.review_keyboard import review_with_keyboard
from cips.services.campaigns import get_or_create_administration
from cips.services.coding import current_model_digest, decisions, suggest
from cips.services.saved_briefings import save_briefing
from tests.briefing_review.conftest import StubModel

PASSWORD = "briefing e2e password"
CSV = (
    "question,contributor,lang,answer\n"
    "q1,Norland,en,Training of officers on the code of conduct helped us most.\n"
    "q1,Valmont,fr,Plus de soutien à l'audit interne.\n"
).encode()


def test_two_briefing_contributions_reviewed_with_the_keyboard(live, context) -> None:
    live.cli("user", "create", "brief-rev-e2e@example.org", "--role", "reviewer", "--administration",
             "E2E Briefings", "--password", PASSWORD)  # fmt: skip
    with live.app.app_context(), Session(live.app.extensions["cips_engine"], expire_on_commit=False) as session:
        admin = get_or_create_administration(session, "E2E Briefings")
        briefing = save_briefing(session, administration_id=admin.id, actor="m@example.org", filename="c.csv",
                                 data=CSV, lang="en", title="E2E consultation")  # fmt: skip
        suggest(session, briefing, StubModel(), current_model_digest())  # no model run in the page

    problems: list[str] = []
    page = context.new_page()
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live.url}/login")
    page.fill("input[name=email]", "brief-rev-e2e@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live.url}/manage/review")
    page.click(f"a[href='/manage/briefings/{briefing.id}/review?unreviewed=1']")
    expect(page.locator("#review-position")).to_have_text("Answer 1 of 2")
    page.wait_for_load_state()  # the shown page's script listens for keys only once it has run
    page.keyboard.press("ArrowRight")
    expect(page.locator("#review-position")).to_have_text("Answer 2 of 2")
    page.wait_for_load_state()  # the shown page's script listens for keys only once it has run
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#review-position")).to_have_text("Answer 1 of 2")

    # The stub is least sure of the last contribution: it comes first. Shift+4 makes audit (key 4) the primary.
    first = int(page.locator("#review-form input[name=answer_id]").get_attribute("value"))
    review_with_keyboard(page, live.url, 1, ["Shift+Digit4"])
    # Then 5 toggles the fifth factor and Shift+8 makes the eighth the primary.
    second = int(page.locator("#review-form input[name=answer_id]").get_attribute("value"))
    review_with_keyboard(page, live.url, 1, ["Digit5", "Shift+Digit8"])
    expect(page.locator("#review-done")).to_be_visible()
    assert problems == []  # no script error, no Content-Security-Policy violation

    from analysis.factors import FACTOR_IDS

    with Session(live.app.extensions["cips_engine"]) as session:
        decided = decisions(session, briefing)
    assert (decided[first].primary, decided[first].coder) == (FACTOR_IDS[3], "brief-rev-e2e@example.org")
    assert decided[second].primary == FACTOR_IDS[7] and set(decided[second].labels) == {FACTOR_IDS[4], FACTOR_IDS[7]}
