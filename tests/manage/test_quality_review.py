"""Quality flags on the dashboard and the review list: signs for a manager, never an exclusion by themselves."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlmodel import Session, select

from cips.demo.generator import COPIER_INDEX, DEMO_NAMESPACE, SPEEDER_INDEX, STRAIGHT_LINER_INDEX
from cips.models import Campaign, Role, SubmissionExclusion
from cips.services.quality import campaign_quality
from tests.exports.support import post
from tests.helpers import officials_answers


def test_demo_seeds_a_speeder_and_a_straight_liner_that_are_flagged(loaded: Flask, runner, session: Session) -> None:
    result = runner.invoke(args=["demo", "--responses", "30", "--seed", "1"])
    assert result.exit_code == 0, result.output
    demo = session.exec(select(Campaign).where(Campaign.slug == "demo")).one()
    flags = campaign_quality(session, demo).flags.flagged
    speeder = str(uuid.uuid5(DEMO_NAMESPACE, f"demo/1/{SPEEDER_INDEX}"))
    straight = str(uuid.uuid5(DEMO_NAMESPACE, f"demo/1/{STRAIGHT_LINER_INDEX}"))
    assert speeder in flags["speeder"] and straight in flags["straight_lining"]
    assert straight not in flags["speeder"] and speeder not in flags["straight_lining"]


def test_demo_open_answers_are_copied_only_where_the_generator_seeds_it(loaded: Flask, runner,
                                                                       session: Session) -> None:  # fmt: skip
    # The demo's size: its pool of open answers is small, and drawing from it with replacement
    # made hundreds of respondents "copy" each other, which drowned the one flag a manager needs.
    result = runner.invoke(args=["demo", "--responses", "400", "--seed", "1"])
    assert result.exit_code == 0, result.output
    demo = session.exec(select(Campaign).where(Campaign.slug == "demo")).one()
    copied = campaign_quality(session, demo).flags.flagged["copied_text"]
    copier = str(uuid.uuid5(DEMO_NAMESPACE, f"demo/1/{COPIER_INDEX}"))
    assert copier in copied and len(copied) == 2  # the copier and the respondent it copied


def _fieldwork(loaded: Flask) -> str:
    """Seven officials on seven tablets; the last finished in one minute (the others in 14)."""
    client = loaded.test_client()
    for k in range(7):
        answers = dict(officials_answers(), open_change_first=f"Respondent {k} wants better pay.")
        post(client, device_id=f"tablet-{k}", answers=answers)
    now = datetime.now(UTC).replace(microsecond=0)
    fast = post(client, device_id="tablet-9", started_at=(now - timedelta(minutes=1)).isoformat(),
                submitted_at=now.isoformat(), answers=dict(officials_answers(), open_change_first="x"))  # fmt: skip
    return fast["uuid"]


def test_dashboard_counts_flags_with_the_small_cell_rule_and_review_lists_them(client_as, loaded: Flask,
                                                                               session: Session) -> None:  # fmt: skip
    fast = _fieldwork(loaded)
    manager = client_as(Role.manager)
    page = manager.get("/manage/campaigns/test/dashboard").get_data(as_text=True)
    quality = page[page.index('data-testid="quality"') :]
    assert "finished much faster than most" in quality and "n&lt;5" in quality  # one speeder: not shown as 1
    review = manager.get("/manage/campaigns/test/review").get_data(as_text=True)
    flagged = review[review.index('data-testid="flagged"') :]
    assert fast in flagged and flagged.count("<code>") == 1
    assert session.exec(select(SubmissionExclusion)).all() == []  # flagged, not excluded
    response = manager.post("/manage/campaigns/test/review/exclude",
                            data={"uuid": fast, "category": "careless", "reason": "one minute"})  # fmt: skip
    assert response.status_code == 303
    review = manager.get("/manage/campaigns/test/review").get_data(as_text=True)
    assert "No record has a quality flag." in review and fast in review  # now in the excluded list


def test_an_enumerator_filling_ten_interviews_in_an_hour_on_one_tablet_is_noticed(client_as, loaded: Flask) -> None:
    """Five honest interviews (14 minutes each, on five tablets), then one station tablet sends ten
    in an hour, one after the other, 5 minutes each: the dashboard counts ten bursts and ten speeders.
    Judged against the tablet's own pace (the median of all fifteen is 5 minutes) none looked fast."""
    client = loaded.test_client()
    now = datetime.now(UTC).replace(microsecond=0)
    for k in range(5):
        end = now - timedelta(days=2, hours=3 * k)
        answers = dict(officials_answers(), open_change_first=f"Respondent {k} wants better pay.")
        post(client, device_id=f"tablet-{k}", started_at=(end - timedelta(minutes=14)).isoformat(),
             submitted_at=end.isoformat(), answers=answers)  # fmt: skip
    for k in range(10):
        start = now - timedelta(minutes=60 - 6 * k)
        answers = dict(officials_answers(), open_change_first=f"Interview {k}: more rotation.")
        answers["lead_1"] = 1 + k % 5  # not copies of one another
        end = start + timedelta(minutes=5)
        post(client, device_id="station-7", started_at=start.isoformat(), submitted_at=end.isoformat(),
             answers=answers)  # fmt: skip
    page = client_as(Role.manager).get("/manage/campaigns/test/dashboard").get_data(as_text=True)
    quality = page[page.index('data-testid="quality"') :]
    rows = dict(re.findall(r"<tr><th>([^<]+)</th><td class=\"num\">([^<]+)</td></tr>", quality))
    assert rows["more interviews finished on one tablet than fit in the time"] == "10"
    assert rows["finished much faster than most"] == "10"
