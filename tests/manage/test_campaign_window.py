"""Closed and draft campaigns through every way in (API, envelope, no-JS form): a draft accepts
nothing; a closed campaign accepts only records finished before it closed, within the grace period
the manager sets, counted as late on the dashboard; everything else is quarantined with a reason."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from cips.models import Campaign, CampaignStatus, EncryptedSubmission, QuarantinedSubmission, Role, Submission
from cips.services.campaign_edit import set_status
from cips.services.campaigns import campaign_instruments
from tests.helpers import payload
from tests.sealed import envelope, submission

URL = "/api/v1/submissions"


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def campaign(session, slug: str = "test") -> Campaign:
    return session.exec(select(Campaign).where(Campaign.slug == slug)).one()


def close(session, slug: str = "test", *, days_ago: float = 0, grace: int | None = None) -> datetime:
    """Close the campaign as a manager does, ``days_ago`` days back; return the moment it closed."""
    row = campaign(session, slug)
    set_status(session, row, CampaignStatus.closed, actor="test")
    row.closed_at = datetime.now(UTC) - timedelta(days=days_ago)
    if grace is not None:
        row.late_grace_days = grace
    session.add(row)
    session.commit()
    return row.closed_at


def at(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def assert_refused(response, session, n_quarantined: int) -> None:
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert body["field"] == "campaign" and body["quarantine_id"]
    assert count(session, QuarantinedSubmission) == n_quarantined
    row = session.get(QuarantinedSubmission, body["quarantine_id"])
    assert row.field == "campaign" and "campaign" in row.reason


def test_window_draft_campaign_accepts_nothing(loaded, client, session) -> None:
    row = campaign(session)
    row.status = CampaignStatus.draft
    session.add(row)
    session.commit()
    response = client.post(URL, json=payload())
    assert_refused(response, session, 1)
    assert "draft" in response.get_json()["errors"][0]["message"]
    assert count(session, Submission) == 0


def test_window_closed_campaign_takes_late_records_finished_before_within_grace(loaded, client, session) -> None:
    closed = close(session, days_ago=2, grace=7)
    before = payload(submitted_at=at(closed - timedelta(hours=1)), started_at=at(closed - timedelta(hours=2)))
    assert client.post(URL, json=before).status_code == 201  # a tablet syncing two days late loses nothing
    after = payload(submitted_at=at(closed + timedelta(hours=1)), started_at=at(closed))
    response = client.post(URL, json=after)  # finished after closing: a fabricated top-up
    assert_refused(response, session, 1)
    assert "finished before" in response.get_json()["errors"][0]["message"]
    assert count(session, Submission) == 1


def test_window_grace_period_ends_but_a_retry_of_a_stored_record_is_acknowledged(loaded, client, session) -> None:
    closed = close(session, days_ago=1, grace=3)
    stored = payload(submitted_at=at(closed - timedelta(hours=1)), started_at=at(closed - timedelta(hours=2)))
    assert client.post(URL, json=stored).status_code == 201
    close(session, days_ago=10, grace=3)  # the same campaign, now beyond its grace period
    assert client.post(URL, json=stored).status_code == 200  # the device's retry (its ack was lost)
    late = payload(submitted_at=at(closed - timedelta(days=20)), started_at=at(closed - timedelta(days=20)))
    response = client.post(URL, json=late)
    assert_refused(response, session, 1)
    assert "3-day" in response.get_json()["errors"][0]["message"]
    # Reopened, the campaign takes records again; closed_at is cleared.
    set_status(session, campaign(session), CampaignStatus.open, actor="test")
    assert campaign(session).closed_at is None
    assert client.post(URL, json=late).status_code == 201


def test_window_past_closing_date_counts_as_closed(loaded, client, session) -> None:
    row = campaign(session)
    row.closes_at = datetime.now(UTC) - timedelta(days=1)
    session.add(row)
    session.commit()
    assert_refused(client.post(URL, json=payload()), session, 1)  # finished now, after the closing date
    before = payload(
        submitted_at=at(row.closes_at - timedelta(hours=1)), started_at=at(row.closes_at - timedelta(hours=2))
    )
    assert client.post(URL, json=before).status_code == 201
    set_status(session, campaign(session), CampaignStatus.closed, actor="test")
    assert campaign(session).closed_at == row.closes_at  # closed at its date, which came first


def test_window_envelope_path_follows_the_same_rule(sealed, client, session) -> None:
    row = campaign(session, "sealed")
    row.status = CampaignStatus.draft
    session.add(row)
    session.commit()
    assert_refused(client.post(URL, json=envelope(submission(), sealed["public_key"])), session, 1)
    close(session, "sealed", days_ago=2, grace=7)
    assert client.post(URL, json=envelope(submission(), sealed["public_key"])).status_code == 201
    close(session, "sealed", days_ago=8, grace=7)
    assert_refused(client.post(URL, json=envelope(submission(), sealed["public_key"])), session, 2)
    assert count(session, EncryptedSubmission) == 1


def test_window_no_js_form_follows_the_same_rule(loaded, client, session) -> None:
    from tests.helpers import officials_answers
    from tests.test_survey import _form_data

    page = client.get("/s/test/officials/basic?lang=en").get_data(as_text=True)
    data = _form_data(page, officials_answers())
    close(session, days_ago=0)
    response = client.post("/s/test/officials/basic?lang=en", data=data)
    assert response.status_code == 409  # the closed page, and the answers kept in quarantine with the reason
    [row] = session.exec(select(QuarantinedSubmission)).all()
    assert row.field == "campaign" and count(session, Submission) == 0
    del data["consent"]  # without consent nothing may be kept, closed or not
    assert client.post("/s/test/officials/basic?lang=en", data=data).status_code == 403
    assert count(session, QuarantinedSubmission) == 1


@pytest.mark.parametrize(("n_late", "shown"), [(3, "n&lt;5"), (6, ">6<")])
def test_window_late_records_are_counted_on_the_dashboard(loaded, client_as, session, n_late, shown) -> None:
    api = loaded.test_client()
    for _ in range(6):
        assert api.post(URL, json=payload()).status_code == 201  # in time
    closed = close(session, days_ago=0)
    for _ in range(n_late):
        body = payload(submitted_at=at(closed - timedelta(hours=1)), started_at=at(closed - timedelta(hours=2)))
        assert api.post(URL, json=body).status_code == 201
    html = client_as(Role.manager).get("/manage/campaigns/test/dashboard").get_data(as_text=True)
    card = re.search(r'big-number">(.*?)</span>\s*received after closing', html, re.S)
    assert card is not None and shown in card.group(0)
    data = client_as(Role.manager).get("/manage/campaigns/test/fieldwork.json").get_json()
    assert data["late"] == (None if n_late < 5 else n_late)


def test_window_grace_period_is_set_by_cli_and_manager_form(loaded, runner, client_as, session) -> None:
    common = ["--name", "L", "--administration", "Test Customs", "--instrument", "officials", "--languages", "en"]
    result = runner.invoke(args=["campaign", "create", "late", *common, "--late-grace-days", "3"])
    assert result.exit_code == 0, result.output
    assert campaign(session, "late").late_grace_days == 3
    bad = runner.invoke(args=["campaign", "create", "late2", *common, "--late-grace-days", "400"])
    assert bad.exit_code == 2 and "late-grace-days" in bad.output
    manager = client_as(Role.manager)
    form = manager.get("/manage/campaigns/test/edit").get_data(as_text=True)
    assert 'name="late_grace_days"' in form and 'value="30"' in form
    versions = [f"{r.key}:{r.version}" for r in campaign_instruments(session, campaign(session))]
    fields = {"name": "Test survey", "wave": "1", "mode": "station", "instruments": versions,
              "languages": ["en", "fr", "es", "pt"], "late_grace_days": "45"}  # fmt: skip
    response = manager.post("/manage/campaigns/test/edit", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session.expire_all()
    assert campaign(session).late_grace_days == 45


def test_window_closing_date_is_read_on_the_app_clock(loaded, client, session) -> None:
    """The form's pages and its submitted_at follow the app's clock (config CLOCK); the write path's
    rule must too, or a form finished after the closing date on that clock is stored."""
    from tests.helpers import officials_answers
    from tests.test_survey import _form_data

    row = campaign(session)
    row.opens_at, row.closes_at = datetime(2031, 3, 1, tzinfo=UTC), datetime(2031, 4, 1, tzinfo=UTC)
    session.add(row)
    session.commit()
    loaded.config["CLOCK"] = lambda: datetime(2031, 3, 31, 23, 0, tzinfo=UTC)
    data = _form_data(client.get("/s/test/officials/basic?lang=en").get_data(as_text=True), officials_answers())
    loaded.config["CLOCK"] = lambda: datetime(2031, 4, 1, 0, 30, tzinfo=UTC)  # sent half an hour after closing
    assert client.post("/s/test/officials/basic?lang=en", data=data).status_code == 409
    assert count(session, Submission) == 0 and count(session, QuarantinedSubmission) == 1
    late = payload(submitted_at="2031-04-01T00:20:00+00:00", started_at="2031-03-31T23:50:00+00:00")
    assert client.post(URL, json=late).status_code == 409  # the API: the same rule, the same clock
    on_time = payload(submitted_at="2031-03-31T23:50:00+00:00", started_at="2031-03-31T23:30:00+00:00")
    assert client.post(URL, json=on_time).status_code == 201  # finished before closing: a late upload


def test_window_closing_moment_is_taken_on_the_app_clock(loaded, client, session) -> None:
    """Closing a campaign stamps closed_at; on the wall clock instead of the app's, a late upload
    finished before closing (on the app's clock) was refused as finished after it."""
    loaded.config["CLOCK"] = lambda: datetime(2031, 4, 10, 12, 0, tzinfo=UTC)
    row = campaign(session)
    with loaded.app_context():  # as in the manager's request or the CLI
        set_status(session, row, CampaignStatus.closed, actor="test")
    assert campaign(session).closed_at == datetime(2031, 4, 10, 12, 0, tzinfo=UTC)
    late = payload(submitted_at="2031-04-09T10:00:00+00:00", started_at="2031-04-09T09:40:00+00:00")
    assert client.post(URL, json=late).status_code == 201
