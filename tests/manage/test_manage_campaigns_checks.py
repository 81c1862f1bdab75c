"""The campaign form refuses what the CLI refuses: both go through the same service checks."""

from __future__ import annotations

from sqlmodel import Session, select

from cips.models import AuditEvent, Campaign, Role
from tests.helpers import OFFICIALS_PIN, PRIVATE_PIN, payload

FORM = {"slug": "x1", "name": "X", "wave": "1", "mode": "station", "instruments": [OFFICIALS_PIN],
        "languages": ["en"], "quotas": ""}  # fmt: skip
EDIT = {"slug": "test", "name": "Test survey", "wave": "1", "mode": "station", "quotas": "",
        "instruments": [OFFICIALS_PIN, PRIVATE_PIN], "languages": ["en", "fr", "es", "pt"]}  # fmt: skip


def _slugs(session: Session) -> set[str]:
    session.expire_all()
    return {c.slug for c in session.exec(select(Campaign))}


def test_manage_campaigns_station_campaign_cannot_be_invite_only(client_as, session: Session) -> None:
    client = client_as(Role.manager)
    response = client.post("/manage/campaigns/new", data=dict(FORM, invite_only="y"))
    assert response.status_code == 200 and b"online mode" in response.data
    assert _slugs(session) == {"test"}
    assert client.post("/manage/campaigns/new", data=dict(FORM, invite_only="y", mode="online")).status_code == 302
    edit = client.post("/manage/campaigns/test/edit", data=dict(EDIT, invite_only="y"))
    assert edit.status_code == 200 and b"online mode" in edit.data
    session.expire_all()
    assert session.exec(select(Campaign).where(Campaign.slug == "test")).one().invite_only is False


def test_manage_campaigns_slug_is_matched_whole(client_as, session: Session) -> None:
    client = client_as(Role.manager)
    for slug in ("nl\n", "Bad Slug", "café"):
        response = client.post("/manage/campaigns/new", data=dict(FORM, slug=slug))
        assert response.status_code == 200 and b"Lower-case letters" in response.data
    assert _slugs(session) == {"test"}


def test_manage_campaigns_offers_only_languages_of_the_questionnaires(client_as) -> None:
    page = client_as(Role.manager).get("/manage/campaigns/new").get_data(as_text=True)
    for code in ("en", "fr", "es", "pt"):
        assert f'value="{code}"' in page
    assert 'value="ar"' not in page and "العربية" not in page


def test_manage_campaigns_quota_refuses_repeated_items_and_huge_targets(client_as, session: Session) -> None:
    client = client_as(Role.manager)

    def create(quotas: str) -> bytes:
        return client.post("/manage/campaigns/new", data=dict(FORM, quotas=quotas)).data

    assert b"appears more than once" in create("officials: bg_region=north,bg_region=south = 10")
    assert b"1,000,000" in create("officials: bg_region=north = 99999999999999999999999")
    assert b"1,000,000" in create("officials: bg_region=north = 10 / 99999999999999999999")
    assert b"line 2" in create("officials: bg_region=north = 10\nofficials: bg_region=north = 20")
    assert _slugs(session) == {"test"}


def test_manage_campaigns_removing_a_questionnaire_counts_only_its_submissions(client_as, client, session) -> None:
    for _ in range(3):
        assert client.post("/api/v1/submissions", json=payload()).status_code == 201  # officials only
    manager = client_as(Role.manager)
    keep_private = manager.post("/manage/campaigns/test/edit", data=dict(EDIT, instruments=[PRIVATE_PIN]))
    assert keep_private.status_code == 200
    assert f"3 submissions already use {OFFICIALS_PIN}".encode() in keep_private.data
    drop_private = manager.post("/manage/campaigns/test/edit", data=dict(EDIT, instruments=[OFFICIALS_PIN]))
    assert drop_private.status_code == 302, drop_private.data  # nobody answered private_sector
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "campaign.update")).one()
    assert event.details["changes"]["instruments"]["new"] == [OFFICIALS_PIN]
