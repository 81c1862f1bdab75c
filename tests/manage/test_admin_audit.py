"""The audit log page: filters are literal prefixes, page numbers are clamped."""

from __future__ import annotations

from sqlmodel import Session

from cips.models import Role
from cips.services import audit


def test_admin_audit_action_filter_is_a_literal_prefix(client_as, session: Session) -> None:
    audit.record(session, "test", "campaign_x.probe", "t")  # the one action that starts with "campaign_"
    session.commit()
    page = client_as(Role.admin).get("/admin/audit?action=campaign_").get_data(as_text=True)
    assert "<code>campaign_x.probe</code>" in page and "<code>campaign.create</code>" not in page  # "_" literal
    percent = client_as(Role.admin).get("/admin/audit?action=%25").get_data(as_text=True)
    assert "<code>campaign.create</code>" not in percent


def test_admin_audit_page_number_beyond_the_end_is_clamped(client_as) -> None:
    response = client_as(Role.admin).get("/admin/audit?page=99999999999999999999")
    assert response.status_code == 200
    assert "<code>campaign.create</code>" in response.get_data(as_text=True)  # the last page, not an empty one
