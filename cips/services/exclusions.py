"""Set a submission aside with a reason, or bring it back: the use case shared by the pages and the CLI.

An exclusion never touches the record (``cips.models.exclusion``); what leaves the record out
of every figure is :func:`counted`, the one condition the datasets (exports, scores, report)
and the fieldwork dashboard put on their queries. Every decision is in the audit log.
Encrypted campaigns cannot be reviewed on the server (their answers are sealed), so they
have no exclusions here.
"""

from __future__ import annotations

import uuid as uuid_lib
from collections import Counter
from typing import Any

from sqlalchemy import exists, func, select
from sqlmodel import Session

from cips.models import Campaign, ExclusionCategory, Submission, SubmissionExclusion
from cips.services import audit
from cips.services.messages import N_

#: Longest reason kept (a sentence or two: the details belong in the fieldwork notes).
MAX_REASON_CHARS = 500


class ExclusionError(ValueError):
    """A request to exclude or reinstate that cannot be carried out; the message says why."""


def counted(campaign_id: int) -> Any:
    """SQL condition: the submissions of ``campaign_id`` that count (none excluded)."""
    excluded = exists().where(SubmissionExclusion.submission_id == Submission.id)
    return (Submission.campaign_id == campaign_id) & ~excluded


def excluded_counts(session: Session, campaign: Campaign) -> dict[str, int]:
    """Excluded submissions per category (``{"test": 2}``), categories in their declared order."""
    rows = session.execute(
        select(SubmissionExclusion.category, func.count())
        .where(SubmissionExclusion.campaign_id == campaign.id)
        .group_by(SubmissionExclusion.category)
    ).all()
    found = Counter({ExclusionCategory(category).value: n for category, n in rows})
    return {c.value: found[c.value] for c in ExclusionCategory if found[c.value]}


def exclusions(session: Session, campaign: Campaign) -> list[dict[str, Any]]:
    """The campaign's excluded submissions, newest decision first: uuid, category, reason, who, when."""
    rows = session.execute(
        select(Submission.uuid, SubmissionExclusion.category, SubmissionExclusion.reason,
               SubmissionExclusion.excluded_by, SubmissionExclusion.excluded_at)
        .join(Submission, Submission.id == SubmissionExclusion.submission_id)
        .where(SubmissionExclusion.campaign_id == campaign.id)
        .order_by(SubmissionExclusion.excluded_at.desc(), SubmissionExclusion.id.desc())
    ).all()  # fmt: skip
    return [{"uuid": str(u), "category": ExclusionCategory(c).value, "reason": r, "by": b, "at": a}
            for u, c, r, b, a in rows]  # fmt: skip


def find_campaign(session: Session, slug: str) -> Campaign:
    campaign = session.execute(select(Campaign).where(Campaign.slug == slug)).scalar_one_or_none()
    if campaign is None:
        raise ExclusionError(N_("no campaign %(slug)s (see `cips campaign list`)", slug=repr(slug)))
    return campaign


def _submission(session: Session, campaign: Campaign, uuid: str) -> Submission:
    if campaign.encrypted:
        raise ExclusionError(N_("campaign %(slug)s is encrypted end to end: its records cannot be reviewed on "
                                "the server", slug=campaign.slug))  # fmt: skip
    try:
        key = uuid_lib.UUID(str(uuid).strip())
    except ValueError:
        raise ExclusionError(N_("uuid: %(uuid)s is not a submission uuid", uuid=repr(uuid))) from None
    found = session.execute(
        select(Submission).where(Submission.uuid == key, Submission.campaign_id == campaign.id)
    ).scalar_one_or_none()
    if found is None:
        raise ExclusionError(N_("uuid: campaign %(slug)s has no submission %(uuid)s", slug=campaign.slug,
                                uuid=str(key)))  # fmt: skip
    return found


def exclude(session: Session, campaign: Campaign, uuid: str, category: str, reason: str, *,
            actor: str) -> SubmissionExclusion:  # fmt: skip
    """Set submission ``uuid`` of ``campaign`` aside; ``category`` and a ``reason`` are required. Commits."""
    if category not in {c.value for c in ExclusionCategory}:
        raise ExclusionError(N_("category: %(category)s is not a category (expected one of %(categories)s)",
                                category=repr(category),
                                categories=", ".join(c.value for c in ExclusionCategory)))  # fmt: skip
    reason = (reason or "").strip()
    if not reason:
        raise ExclusionError(N_("reason: say why the record is excluded"))
    if len(reason) > MAX_REASON_CHARS:
        raise ExclusionError(N_("reason: at most %(max)s characters", max=MAX_REASON_CHARS))
    submission = _submission(session, campaign, uuid)
    already = select(SubmissionExclusion.id).where(SubmissionExclusion.submission_id == submission.id)
    if session.execute(already).first():
        raise ExclusionError(N_("uuid: submission %(uuid)s is already excluded", uuid=str(submission.uuid)))
    row = SubmissionExclusion(submission_id=submission.id, campaign_id=campaign.id,
                              category=ExclusionCategory(category), reason=reason, excluded_by=actor)  # fmt: skip
    session.add(row)
    audit.record(session, actor, "submission.exclude", campaign.slug, uuid=str(submission.uuid), category=category,
                 reason=reason)  # fmt: skip
    session.commit()
    return row


def reinstate(session: Session, campaign: Campaign, uuid: str, *, actor: str, reason: str = "") -> None:
    """Count submission ``uuid`` again (the exclusion's category and reason stay in the audit log). Commits."""
    submission = _submission(session, campaign, uuid)
    row = session.execute(
        select(SubmissionExclusion).where(SubmissionExclusion.submission_id == submission.id)
    ).scalar_one_or_none()
    if row is None:
        raise ExclusionError(N_("uuid: submission %(uuid)s is not excluded", uuid=str(submission.uuid)))
    audit.record(session, actor, "submission.reinstate", campaign.slug, uuid=str(submission.uuid),
                 category=ExclusionCategory(row.category).value, excluded_reason=row.reason,
                 reason=(reason or "").strip()[:MAX_REASON_CHARS])  # fmt: skip
    session.delete(row)
    session.commit()
