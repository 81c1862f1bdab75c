"""Quarantine volume for administrators: rows and bytes, attributed to a campaign or not.

Refused bodies that name no known campaign (a malformed body, an unknown slug, an oversized
upload whose prefix is not JSON) belong to no manager's dashboard, so no manager would see
them pile up; the administrator's page shows their volume. Counts and sizes only: a body
may contain answers, so no content, uuid or device is shown. Quarantine counts are not
respondent counts, so no small-cell suppression applies to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_
from sqlmodel import Session, select

from cips.models import Campaign, QuarantinedSubmission, utcnow
from cips.submissions.budget import quarantined_bytes

Q = QuarantinedSubmission


@dataclass(frozen=True)
class Volume:
    rows: int
    kept_bytes: int  # bodies as kept (an oversized body's prefix only)
    declared_bytes: int  # bodies as sent
    last_day_rows: int
    last_day_bytes: int
    latest: datetime | None


@dataclass(frozen=True)
class QuarantineVolume:
    attributed: Volume
    unattributed: Volume
    #: Unattributed rows per HTTP status (413 too large, 400 unreadable, 415, 422…): status, rows, kept bytes.
    unattributed_by_status: list[tuple[int, int, int]]
    budget_bytes: int  # what the budget counts: kept bytes plus a per-row overhead
    per_hour: int
    total: int


def quarantine_volume(session: Session, *, per_hour: int, total: int) -> QuarantineVolume:
    attributed = Q.claimed_campaign.in_(select(Campaign.slug))
    size = func.length(Q.raw_body)
    day_ago = utcnow() - timedelta(days=1)

    def volume(where) -> Volume:
        recent = Q.received_at >= day_ago
        row = session.exec(
            select(
                func.count(), func.coalesce(func.sum(size), 0), func.coalesce(func.sum(Q.body_size), 0),
                func.coalesce(func.sum(case((recent, 1), else_=0)), 0),
                func.coalesce(func.sum(case((recent, size), else_=0)), 0), func.max(Q.received_at),
            ).where(where)
        ).one()  # fmt: skip
        return Volume(int(row[0]), int(row[1]), int(row[2]), int(row[3]), int(row[4]), row[5])

    unattributed = or_(Q.claimed_campaign.is_(None), ~attributed)
    by_status = session.exec(
        select(Q.status_code, func.count(), func.coalesce(func.sum(size), 0))
        .where(unattributed).group_by(Q.status_code).order_by(Q.status_code)
    ).all()  # fmt: skip
    statuses = [(int(status), int(n), int(b)) for status, n, b in by_status]
    return QuarantineVolume(volume(attributed), volume(unattributed), statuses, quarantined_bytes(session), per_hour,
                            total)  # fmt: skip
