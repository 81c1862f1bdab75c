"""Closing a live campaign takes a confirmation step that works without JavaScript."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from cips.models import Campaign, CampaignStatus, Role


def _status(session: Session) -> CampaignStatus:
    session.expire_all()
    return session.exec(select(Campaign).where(Campaign.slug == "test")).one().status


def test_status_closing_a_live_campaign_asks_first(client_as, session: Session) -> None:
    manager = client_as(Role.manager)
    assert _status(session) is CampaignStatus.open
    first = manager.post("/manage/campaigns/test/status", data={"status": "closed"})
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and 'data-testid="status-confirm"' in page and "Close this campaign?" in page
    assert _status(session) is CampaignStatus.open  # one click changed nothing
    # The confirmation is a plain form: posting what it holds closes the campaign.
    fields = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page))
    assert fields["status"] == "closed" and fields["confirm"] == "yes"
    assert manager.post("/manage/campaigns/test/status", data=fields).status_code == 302
    assert _status(session) is CampaignStatus.closed
    # Opening again (not live yet) needs no confirmation.
    assert manager.post("/manage/campaigns/test/status", data={"status": "open"}).status_code == 302
    assert _status(session) is CampaignStatus.open
