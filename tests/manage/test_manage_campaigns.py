"""Campaign pages: create, edit, status, invitation links, station PIN — each audited."""

from __future__ import annotations

import csv
import io

from sqlmodel import Session, select

from cips.models import AuditEvent, Campaign, CampaignStatus, InviteToken, Role
from tests.helpers import OFFICIALS_PIN, PRIVATE_PIN


def _events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def test_manage_create_campaign_from_the_form(client_as, session: Session) -> None:
    client = client_as(Role.manager)
    form = {"slug": "ar-2027", "name": "Argentina 2027", "wave": "1", "mode": "online",
            "instruments": [OFFICIALS_PIN, PRIVATE_PIN], "languages": ["en", "es"],
            "opens_at": "2027-03-01", "closes_at": "2027-04-01",
            "quotas": "officials: bg_region=north = 40 / 300\nprivate_sector: ps_role=broker = 25"}  # fmt: skip
    response = client.post("/manage/campaigns/new", data=form)
    assert response.status_code == 302, response.data
    campaign = session.exec(select(Campaign).where(Campaign.slug == "ar-2027")).one()
    assert campaign.status is CampaignStatus.draft
    assert campaign.quotas == {"officials": {"bg_region=north": 40}, "private_sector": {"ps_role=broker": 25}}
    assert campaign.populations == {"officials": {"bg_region=north": 300}}
    assert campaign.languages == ["en", "es"]
    assert campaign.opens_at.isoformat().startswith("2027-03-01")
    manager_admin = session.exec(select(Campaign).where(Campaign.slug == "test")).one().administration_id
    assert campaign.administration_id == manager_admin  # a manager creates in their own administration
    assert [e.target for e in _events(session, "campaign.create")][-1] == "ar-2027"


def test_manage_bad_quota_line_is_named(client_as) -> None:
    client = client_as(Role.manager)
    form = {"slug": "x1", "name": "X", "wave": "1", "mode": "station", "instruments": [OFFICIALS_PIN],
            "languages": ["en"], "quotas": "officials: bg_region=north = 40\nthis is not a quota"}  # fmt: skip
    response = client.post("/manage/campaigns/new", data=form)
    assert response.status_code == 200
    assert b"line 2: expected" in response.data
    unknown = dict(form, quotas="officials: bg_region=atlantis = 40")
    response = client.post("/manage/campaigns/new", data=unknown)
    assert b"is not a choice of bg_region" in response.data
    tiny = dict(form, quotas="officials: bg_region=north = 3")
    assert b"at least 5" in client.post("/manage/campaigns/new", data=tiny).data


def test_manage_edit_campaign_records_old_and_new(client_as, session: Session) -> None:
    client = client_as(Role.manager)
    page = client.get("/manage/campaigns/test/edit")
    assert page.status_code == 200 and b"Test survey" in page.data
    form = {"slug": "test", "name": "Renamed survey", "wave": "2", "mode": "station",
            "instruments": [OFFICIALS_PIN, PRIVATE_PIN], "languages": ["en", "fr", "es", "pt"],
            "quotas": "officials: bg_region=north = 10"}  # fmt: skip
    assert client.post("/manage/campaigns/test/edit", data=form).status_code == 302
    event = _events(session, "campaign.update")[-1]
    assert event.details["changes"]["name"] == {"old": "Test survey", "new": "Renamed survey"}
    assert event.details["changes"]["wave"] == {"old": 1, "new": 2}
    assert event.actor == "manager@example.org"


def test_manage_status_invites_and_pin(client_as, session: Session) -> None:
    client = client_as(Role.manager)
    assert client.post("/manage/campaigns/test/status", data={"status": "closed", "confirm": "yes"}).status_code == 302
    session.expire_all()
    assert session.exec(select(Campaign).where(Campaign.slug == "test")).one().status is CampaignStatus.closed
    # station campaign: a PIN, no invitations
    assert client.post("/manage/campaigns/test/pin", data={"pin": "123"}).status_code == 302
    assert session.exec(select(Campaign).where(Campaign.slug == "test")).one().station_pin_hash is None
    assert client.post("/manage/campaigns/test/pin", data={"pin": "8642"}).status_code == 302
    session.expire_all()
    assert session.exec(select(Campaign).where(Campaign.slug == "test")).one().station_pin_hash
    refused = client.post("/manage/campaigns/test/invites", data={"count": "3"}, follow_redirects=True)
    assert b"invitations are for online mode" in refused.data
    online = {"slug": "web", "name": "Web", "wave": "1", "mode": "online", "instruments": [OFFICIALS_PIN],
              "languages": ["en"], "quotas": ""}  # fmt: skip
    assert client.post("/manage/campaigns/new", data=online).status_code == 302
    download = client.post("/manage/campaigns/web/invites", data={"count": "3", "require": "y"})
    assert download.status_code == 200 and download.mimetype == "text/csv"
    links = [row[0] for row in csv.reader(io.StringIO(download.get_data(as_text=True)))][1:]
    assert len(links) == 3 and all("/s/web?t=" in link for link in links)
    assert len(session.exec(select(InviteToken)).all()) == 3
    assert [e.action for e in _events(session, "campaign.status")] == ["campaign.status"]


def test_manage_other_administrations_campaigns_are_invisible(client_as, session: Session, runner) -> None:
    result = runner.invoke(args=["campaign", "create", "other", "--name", "Other", "--administration", "Elsewhere",
                                 "--new-administration", "--instrument", "officials", "--languages", "en"])  # fmt: skip
    assert result.exit_code == 0, result.output
    client = client_as(Role.manager)
    assert b"/manage/campaigns/other" not in client.get("/manage/").data
    for url in ("/manage/campaigns/other", "/manage/campaigns/other/dashboard", "/manage/campaigns/other/export"):
        assert client.get(url).status_code == 404, url
