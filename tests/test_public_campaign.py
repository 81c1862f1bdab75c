"""What an anonymous client learns about campaigns: only an open campaign answers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from cips.models import Campaign, CampaignStatus
from tests.helpers import payload

PAGES = ["/api/v1/campaigns/{slug}", "/s/{slug}", "/s/{slug}/manifest.webmanifest", "/s/{slug}/sw.js",
         "/s/{slug}/basic", "/s/{slug}/officials/basic"]  # fmt: skip


def _set_status(session, status: CampaignStatus) -> None:
    campaign = session.exec(select(Campaign).where(Campaign.slug == "test")).one()
    campaign.status = status
    session.add(campaign)
    session.commit()


def _answers(client, slug: str) -> list[tuple[int, bytes]]:
    return [(r.status_code, r.data) for r in (client.get(p.format(slug=slug)) for p in PAGES)]


@pytest.mark.parametrize("status", [CampaignStatus.draft, CampaignStatus.closed])
def test_public_draft_and_closed_campaigns_answer_like_unknown_ones(loaded, client, session, status) -> None:
    _set_status(session, status)
    hidden, unknown = _answers(client, "test"), _answers(client, "nope")
    assert [code for code, _ in hidden] == [404] * len(PAGES)
    assert hidden == unknown  # same status and same body: nothing tells them apart
    document = client.get("/api/v1/campaigns/test")
    assert document.is_json and document.get_json() == {"error": "unknown campaign", "field": "slug"}
    assert b"Test survey" not in b"".join(body for _, body in hidden)


def test_public_open_campaign_serves_what_devices_need(loaded, client, session) -> None:
    assert [code for code, _ in _answers(client, "test")] == [200] * len(PAGES)


def test_public_closed_campaign_still_takes_a_tablets_late_upload(loaded, client, session) -> None:
    _set_status(session, CampaignStatus.closed)
    response = client.post("/api/v1/submissions", json=payload())
    # judged by the submission rules (late records), not hidden like the pages
    assert response.status_code != 404 and "unknown campaign" not in response.get_data(as_text=True)
