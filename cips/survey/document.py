"""The campaign document: everything a device needs to run a campaign offline.

Served as JSON by ``GET /api/v1/campaigns/<slug>`` and pre-cached by the service
worker, whose version hashes it: any change to a questionnaire, the campaign's
languages, status or PIN makes a new service worker, hence a fresh copy on devices.
Nothing in it depends on the clock or the request, so that every server process
computes the same bytes (and the same version) for the same database state.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from cips.crypto.seal import ALG, b64, fingerprint, spki_der
from cips.instruments.loader import definition_json
from cips.instruments.service import definition_of
from cips.models import Campaign, CampaignMode
from cips.services.campaigns import campaign_instruments, current_versions
from cips.services.station import pin_verifier
from cips.submissions.paradata import MAX_SECTION_CHANGES, MAX_SECTION_SECONDS
from cips.survey.i18n import text_direction, ui


def campaign_document(session: Session, campaign: Campaign) -> dict[str, Any]:
    current = {row.id for row in current_versions(session, campaign).values()}
    instruments = [
        {
            "key": row.key,
            "version": row.version,
            # New respondents get the current version; older ones stay so that a
            # draft started before an update can still be finished as it began.
            "current": row.id in current,
            "definition": definition_json(definition_of(row)),
        }
        for row in campaign_instruments(session, campaign)
    ]
    return {
        "slug": campaign.slug,
        "name": campaign.name,
        "mode": campaign.mode.value,
        "status": campaign.status.value,
        # The device decides whether the campaign is open with its own clock: a
        # tablet offline for a week must open on the opening day all the same.
        "opens_at": campaign.opens_at.isoformat() if campaign.opens_at else None,
        "closes_at": campaign.closes_at.isoformat() if campaign.closes_at else None,
        "languages": campaign.languages,
        "directions": {lang: text_direction(lang) for lang in campaign.languages},
        "invite_only": campaign.invite_only,
        # Encrypted campaigns: the public key devices seal finished submissions to.
        "encryption": encryption_document(campaign),
        "station": {"pin": pin_verifier(campaign)} if campaign.mode is CampaignMode.station else None,
        "ui": {lang: ui(lang) for lang in campaign.languages},
        # The server's bounds of paradata counts: the app caps what it sends at them.
        "paradata_limits": {"seconds": MAX_SECTION_SECONDS, "changes": MAX_SECTION_CHANGES},
        "instruments": instruments,
    }


def encryption_document(campaign: Campaign) -> dict[str, Any] | None:
    """What a device needs to seal submissions (``crypto.js``), or None for a plaintext campaign."""
    if not campaign.encrypted or not campaign.public_key:
        return None
    return {
        "alg": ALG,
        # SPKI DER in base64: what WebCrypto's importKey("spki", ...) takes, no PEM parsing in JS.
        "public_key": b64(spki_der(campaign.public_key)),
        "key_id": fingerprint(campaign.public_key),
        "plaintext_strata": list(campaign.plaintext_strata or []),
    }


def document_bytes(document: dict[str, Any]) -> bytes:
    """Canonical JSON (sorted keys): the same document always gives the same bytes."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
