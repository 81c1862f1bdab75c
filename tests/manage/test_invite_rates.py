"""Response rates of invitation campaigns: links issued, opened and completed per batch, no identities."""

from __future__ import annotations

from sqlmodel import Session, select

from cips.models import InviteToken, Role
from tests.helpers import payload
from tests.test_invites import invite
from tests.test_invites import online as online  # the fixture


def test_campaign_page_counts_links_issued_opened_and_completed_per_batch(online, runner, client_as,
                                                                          session: Session) -> None:  # fmt: skip
    first = invite(runner, "web", 12)
    invite(runner, "web", 8)
    respondent = online.test_client()
    for token in first[:7]:
        assert respondent.get(f"/s/web?t={token}").status_code == 200
    assert respondent.get(f"/s/web?t={first[0]}").status_code == 200  # opened again: still one
    assert respondent.get("/s/web?t=not-a-link").status_code == 200  # an unknown token changes nothing
    for token in first[:6]:
        assert (
            respondent.post("/api/v1/submissions", json=payload(campaign="web", invite_token=token)).status_code == 201
        )
    assert [t.batch for t in session.exec(select(InviteToken).order_by(InviteToken.id))] == [1] * 12 + [2] * 8

    page = client_as(Role.manager).get("/manage/campaigns/web").get_data(as_text=True)
    table = page[page.index('data-testid="invite-batches"') : page.index("</table>", page.index("invite-batches"))]
    rows = [[cell.split(">")[-1] for cell in row.split("</td>")[:-1]] for row in table.split("<tr>")[2:]]
    assert [[r[0], *r[2:]] for r in rows] == [["1", "12", "7", "6", "50 %"], ["2", "8", "0", "0", "0 %"]]
