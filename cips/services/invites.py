"""One-time invitation links for online campaigns: ``/s/<slug>?t=<token>``.

A token lets one submission through. Only its SHA-256 is stored, and the CLI
prints each link once: CIPS does not record to whom a link was given, so keep it
that way when distributing them (a list of "who got which link" next to the
database would undo the respondents' anonymity).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from analysis.privacy import suppress_group
from cips.models import CampaignMode, InviteToken, utcnow
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
    last = session.exec(select(func.max(InviteToken.batch)).where(InviteToken.campaign_id == campaign.id)).one()
    batch = (last or 0) + 1
    session.add_all(InviteToken(campaign_id=campaign.id, token_hash=hash_token(t), batch=batch) for t in tokens)
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


def mark_opened(session: Session, campaign_id: int, token: str | None) -> None:
    """Note the first opening of an invitation link (the time only). Never in the way of the survey:
    an unknown token, or a database that cannot take the write now, is left alone."""
    if not token:
        return
    try:
        session.execute(
            update(InviteToken)
            .where(InviteToken.campaign_id == campaign_id, InviteToken.token_hash == hash_token(token),
                   InviteToken.opened_at.is_(None))
            .values(opened_at=utcnow())
        )  # fmt: skip
        session.commit()
    except SQLAlchemyError:
        session.rollback()


@dataclass
class InviteBatch:
    batch: int | None  # None: links made before batches were numbered
    created: datetime
    issued: int
    opened: int | None  # shown counts: None is n<5 or hidden with a small one (analysis.privacy)
    completed: int | None

    @property
    def rate(self) -> float | None:
        """Completed / issued, only where the completed count is shown (a rate would give it back)."""
        return self.completed / self.issued if self.completed is not None and self.issued else None


def invite_batches(session: Session, campaign_id: int) -> list[InviteBatch]:
    """Links issued, opened and completed per batch, with the small-cell rule over the batches
    (the campaign page also shows the total used, so hidden cells are hidden as a group)."""
    rows = session.execute(
        select(InviteToken.batch, func.min(InviteToken.created_at), func.count(InviteToken.id),
               func.count(InviteToken.opened_at), func.count(InviteToken.used_by_uuid))
        .where(InviteToken.campaign_id == campaign_id)
        .group_by(InviteToken.batch).order_by(func.min(InviteToken.created_at))
    ).all()  # fmt: skip
    opened = suppress_group({i: row[3] for i, row in enumerate(rows)})
    completed = suppress_group({i: row[4] for i, row in enumerate(rows)})
    return [InviteBatch(row[0], row[1], row[2], opened[i], completed[i]) for i, row in enumerate(rows)]
