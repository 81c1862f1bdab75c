"""Change a campaign after creation: settings, questionnaires, status.

Every change is audited with the fields it touched (old → new), in the same
transaction as the change itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, delete, select

from cips.instruments.service import definition_of
from cips.models import Campaign, CampaignInstrument, CampaignStatus, EncryptedSubmission, Submission
from cips.services import audit
from cips.services.campaigns import CampaignError, _check_quotas, _resolve_instrument, campaign_instruments

EDITABLE = ("name", "wave", "mode", "languages", "opens_at", "closes_at", "quotas", "populations", "invite_only")


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else getattr(value, "value", value)


def update_campaign(
    session: Session, campaign: Campaign, changes: dict[str, Any], *, instruments: list[str] | None, actor: str
) -> dict[str, tuple[Any, Any]]:
    """Apply ``changes`` (keys from :data:`EDITABLE`); return what changed, old and new."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CampaignError(f"cannot change {', '.join(sorted(unknown))}")
    n_stored = session.exec(select(func.count()).where(Submission.campaign_id == campaign.id)).one()
    n_stored += session.exec(select(func.count()).where(EncryptedSubmission.campaign_id == campaign.id)).one()
    rows = campaign_instruments(session, campaign)
    current = sorted(f"{r.key}:{r.version}" for r in rows)
    if instruments is not None and sorted(instruments) != current:
        if n_stored:
            # Answers already stored refer to these versions; removing one would orphan them.
            missing = set(current) - set(instruments)
            if missing:
                raise CampaignError(f"{n_stored} submissions already use {', '.join(sorted(missing))}; "
                                    "questionnaires can only be added now")  # fmt: skip
        rows = [_resolve_instrument(session, spec) for spec in instruments]
        if not rows:
            raise CampaignError("a campaign needs at least one instrument")
    if "mode" in changes and n_stored and changes["mode"] != campaign.mode:
        raise CampaignError("the mode cannot change once submissions are stored")
    languages = changes.get("languages", campaign.languages)
    for row in rows:
        missing_lang = set(languages) - set(definition_of(row).languages)
        if missing_lang:
            raise CampaignError(f"instrument {row.key} v{row.version} has no {', '.join(sorted(missing_lang))} "
                                "translation")  # fmt: skip
    opens, closes = changes.get("opens_at", campaign.opens_at), changes.get("closes_at", campaign.closes_at)
    if opens and closes and opens >= closes:
        raise CampaignError("the campaign must open before it closes")
    quotas = changes.get("quotas", campaign.quotas)
    _check_quotas(quotas, rows)
    for key, sizes in changes.get("populations", {}).items():
        for stratum in sizes:
            if stratum not in quotas.get(key, {}):
                raise CampaignError(f"population for {key}:{stratum}, which has no target")

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


def set_status(session: Session, campaign: Campaign, status: CampaignStatus, *, actor: str) -> None:
    if campaign.status is status:
        return
    audit.record(session, actor, "campaign.status", campaign.slug, old=campaign.status.value, new=status.value)
    campaign.status = status
    session.add(campaign)
    session.commit()
