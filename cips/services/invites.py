"""One-time invitation links for online campaigns: ``/s/<slug>?t=<token>``.

A token lets one submission through. Only its SHA-256 is stored, and the CLI
prints each link once: CIPS does not record to whom a link was given, so keep it
that way when distributing them (a list of "who got which link" next to the
database would undo the respondents' anonymity).
"""

from __future__ import annotations

import secrets

from sqlalchemy import func
from sqlmodel import Session, select

from cips.models import CampaignMode, InviteToken
from cips.services import audit
from cips.services.campaigns import CampaignError, get_campaign
from cips.services.messages import N_
from cips.submissions.invites import hash_token

MAX_INVITES_PER_CALL = 100_000


def create_invites(session: Session, slug: str, count: int, *, actor: str, require: bool = False) -> list[str]:
    """Make ``count`` new tokens for online campaign ``slug``; return them (never stored in clear).

    ``require=True`` also makes the campaign invite-only (submissions without a
    valid token are refused from then on).
    """
    campaign = get_campaign(session, slug)
    if campaign.mode is not CampaignMode.online:
        # A campaign is in station mode or online mode: one sentence, without a mode name to translate.
        raise CampaignError(N_("campaign %(slug)s is in station mode; invitations are for online mode",
                               slug=repr(slug)))  # fmt: skip
    if not 1 <= count <= MAX_INVITES_PER_CALL:
        raise CampaignError(N_("count must be between 1 and %(max)s", max=MAX_INVITES_PER_CALL))
    tokens = [secrets.token_urlsafe(16) for _ in range(count)]  # 128 random bits each
    session.add_all(InviteToken(campaign_id=campaign.id, token_hash=hash_token(t)) for t in tokens)
    if require and not campaign.invite_only:
        campaign.invite_only = True
        session.add(campaign)
    audit.record(session, actor, "campaign.invite", slug, count=count, invite_only=campaign.invite_only)
    session.commit()
    return tokens


def invite_counts(session: Session, campaign_id: int) -> dict[str, int]:
    total, used = session.exec(
        select(func.count(InviteToken.id), func.count(InviteToken.used_by_uuid)).where(
            InviteToken.campaign_id == campaign_id
        )
    ).one()
    return {"issued": total, "used": used}
