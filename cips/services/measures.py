"""The measures of an action plan as plain data: read by the report, the plan and the aggregate file."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from cips.models import ActionMeasure, Campaign


def measures(session: Session, campaign: Campaign) -> list[ActionMeasure]:
    query = select(ActionMeasure).where(ActionMeasure.campaign_id == campaign.id).order_by(ActionMeasure.id)
    return list(session.exec(query).all())


def as_records(rows: list[ActionMeasure], shared_only: bool = False) -> list[dict[str, Any]]:
    """Measures as plain data (``analysis`` and the aggregate file read these); the programme
    gets what, status and due date only, and only measures marked shared."""
    keys = ("factor", "what", "status", "due") if shared_only else (
        "factor", "what", "owner", "due", "status", "evidence_url")  # fmt: skip
    out = []
    for m in rows:
        if shared_only and not m.shared:
            continue
        record = {k: getattr(m, k) for k in keys}
        record["status"] = m.status.value
        record["due"] = m.due.isoformat() if m.due else None
        out.append(record)
    return out
