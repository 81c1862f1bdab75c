"""Which records a campaign accepts, by its status and dates.

One rule for every way in (the JSON API, the envelope path of encrypted campaigns, the no-JS
form: they all go through the write path):

* a **draft** campaign accepts nothing;
* an **open** campaign accepts everything, until its closing date (``closes_at``) passes;
* once it has **closed** (status closed, at ``closed_at``; or its closing date passed) it accepts
  only records **finished before** it closed (the record's ``submitted_at``), and only for
  ``late_grace_days`` after closing, so that a tablet that syncs late loses nothing while a
  finished wave cannot be topped up with fabricated answers. An envelope's finish time is
  sealed, so for encrypted campaigns only the grace period applies.

Records accepted after closing are counted as late on the fieldwork dashboard. A refused
record is quarantined with the reason (``409``, field ``campaign``); a retry of a record that
was stored before is still acknowledged (``200``): the check is for new records only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from cips import clock
from cips.models import CampaignStatus
from cips.submissions.field_error import FieldError

STATUS = 409  # the record may be valid: the campaign's state refuses it
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def closing_moment(
    status: CampaignStatus | str, closed_at: datetime | None, closes_at: datetime | None, now: datetime
) -> datetime | None:
    """When the campaign stopped taking respondents; None while it runs (or is a draft)."""
    if CampaignStatus(status) is CampaignStatus.closed:
        return closed_at or closes_at or _EPOCH  # closed_at is set when the status changes
    if CampaignStatus(status) is CampaignStatus.open and closes_at is not None and closes_at <= now:
        return closes_at
    return None


def refusal(
    status: CampaignStatus | str,
    closed_at: datetime | None,
    closes_at: datetime | None,
    grace_days: int,
    submitted_at: datetime | None,
    now: datetime | None = None,
) -> FieldError | None:
    """Why a new record is refused by the campaign's state, or None when it is accepted."""
    now = now or clock.now()  # the app's clock, as the survey pages' and the form's times
    if CampaignStatus(status) is CampaignStatus.draft:
        return FieldError("campaign", "this campaign is a draft: it accepts no submissions yet")
    closed = closing_moment(status, closed_at, closes_at, now)
    if closed is None:
        return None
    when = closed.strftime("%Y-%m-%d %H:%M UTC")
    if submitted_at is not None and submitted_at >= closed:
        return FieldError("campaign", f"this campaign closed on {when}: it accepts only records finished before")
    if now > closed + timedelta(days=grace_days):
        return FieldError("campaign", f"this campaign closed on {when} and its {grace_days}-day period for "
                                      "late uploads is over")  # fmt: skip
    return None


def already_stored(session: Session, model: Any, uuid: Any, digest: str) -> bool:
    """A retry of a record stored before (same uuid, same content): acknowledged whatever the campaign's state."""
    return session.exec(select(model.payload_hash).where(model.uuid == uuid)).first() == digest
