"""Change a campaign after creation: settings, questionnaires, status.

Every change is audited with the fields it touched (old → new), in the same
transaction as the change itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, delete, select

from cips import clock
from cips.models import Campaign, CampaignInstrument, CampaignMode, CampaignStatus, EncryptedSubmission, Submission
from cips.services import audit
from cips.services.campaigns import (
    CampaignError,
    _check_quotas,
    _resolve_instrument,
    campaign_instruments,
    check_languages,
    check_mode,
    check_name,
    check_populations,
)
from cips.services.messages import N_

EDITABLE = (
    "name",
    "wave",
    "mode",
    "languages",
    "opens_at",
    "closes_at",
    "quotas",
    "populations",
    "invite_only",
    "late_grace_days",
)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else getattr(value, "value", value)


def update_campaign(
    session: Session, campaign: Campaign, changes: dict[str, Any], *, instruments: list[str] | None, actor: str
) -> dict[str, tuple[Any, Any]]:
    """Apply ``changes`` (keys from :data:`EDITABLE`); return what changed, old and new."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CampaignError(N_("cannot change %(fields)s", fields=", ".join(sorted(unknown))))
    n_stored = session.exec(select(func.count()).where(Submission.campaign_id == campaign.id)).one()
    n_stored += session.exec(select(func.count()).where(EncryptedSubmission.campaign_id == campaign.id)).one()
    rows = campaign_instruments(session, campaign)
    current = sorted(f"{r.key}:{r.version}" for r in rows)
    if instruments is not None and sorted(instruments) != current:
        # Answers already stored refer to these versions; removing one would orphan them.
        removed = [r for r in rows if f"{r.key}:{r.version}" not in set(instruments)]
        n_using = _count_using(session, campaign, [r.id for r in removed]) if removed else 0
        if n_using:
            names = ", ".join(f"{r.key}:{r.version}" for r in removed)
            raise CampaignError(N_("%(n)s submissions already use %(names)s; questionnaires can only be added now",
                                   n=n_using, names=names))  # fmt: skip
        rows = [_resolve_instrument(session, spec) for spec in instruments]
        if not rows:
            raise CampaignError(N_("a campaign needs at least one instrument"))
    if "mode" in changes and n_stored and changes["mode"] != campaign.mode:
        raise CampaignError(N_("the mode cannot change once submissions are stored"))
    if "name" in changes:
        changes = {**changes, "name": check_name("name", changes["name"])}
    check_mode(CampaignMode(changes.get("mode", campaign.mode)), changes.get("invite_only", campaign.invite_only))
    check_languages(changes.get("languages", campaign.languages), rows)
    opens, closes = changes.get("opens_at", campaign.opens_at), changes.get("closes_at", campaign.closes_at)
    if opens and closes and opens >= closes:
        raise CampaignError(N_("the campaign must open before it closes"))
    quotas = changes.get("quotas", campaign.quotas)
    _check_quotas(quotas, rows)
    check_populations(changes.get("populations", {}), quotas)

    changed: dict[str, tuple[Any, Any]] = {}
    for name, value in changes.items():
        old = getattr(campaign, name)
        if old != value:
            changed[name] = (_jsonable(old), _jsonable(value))
            setattr(campaign, name, value)
    if instruments is not None and sorted(f"{r.key}:{r.version}" for r in rows) != current:
        session.exec(delete(CampaignInstrument).where(CampaignInstrument.campaign_id == campaign.id))
        session.add_all(CampaignInstrument(campaign_id=campaign.id, instrument_id=r.id) for r in rows)
        changed["instruments"] = (current, sorted(f"{r.key}:{r.version}" for r in rows))
    if changed:
        session.add(campaign)
        audit.record(session, actor, "campaign.update", campaign.slug,
                     changes={k: {"old": o, "new": n} for k, (o, n) in changed.items()})  # fmt: skip
    session.commit()
    return changed


def _count_using(session: Session, campaign: Campaign, instrument_ids: list[int]) -> int:
    """Stored submissions (plain or sealed) of this campaign made with one of these versions."""
    n = 0
    for model in (Submission, EncryptedSubmission):
        n += session.exec(select(func.count()).where(model.campaign_id == campaign.id,
                                                     model.instrument_id.in_(instrument_ids))).one()  # fmt: skip
    return n


def set_status(session: Session, campaign: Campaign, status: CampaignStatus, *, actor: str) -> None:
    if campaign.status is status:
        return
    audit.record(session, actor, "campaign.status", campaign.slug, old=campaign.status.value, new=status.value)
    campaign.status = status
    # The moment late uploads are measured from (cips.submissions.window): a closing date that
    # already passed counts, since the campaign stopped taking respondents then.
    now = clock.now()  # the app's clock, as the closing rule (cips.submissions.window)
    due = campaign.closes_at if campaign.closes_at is not None and campaign.closes_at < now else now
    campaign.closed_at = due if status is CampaignStatus.closed else None
    session.add(campaign)
    session.commit()
