"""The tablets of a station campaign, as the *Survey stations* page lists them.

A device is known only by the random id its app generated. Per device the page gives
the records received (small-cell rule) and a **fingerprint** of their uuids, which the
tablet's station menu shows too, computed from the records the server acknowledged to
it: equal fingerprints mean every record of that tablet arrived. It needs no count, so
it works where the count is hidden, and it tells nothing about how many records there
are (an XOR of 32-bit hashes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from analysis.privacy import suppress_group, why_hidden
from cips.models import Campaign, EncryptedSubmission, Submission


def uuid_fingerprint(uuid: str) -> int:
    """32-bit FNV-1a of a uuid's text; the same function is ``fingerprintOf`` in the PWA's db.js."""
    value = 0x811C9DC5
    for byte in uuid.encode("ascii"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def format_fingerprint(value: int) -> str:
    text = f"{value:08x}"
    return f"{text[:4]}-{text[4:]}"


def station_devices(session: Session, campaign: Campaign) -> list[dict[str, Any]]:
    """One line per tablet, newest upload first, with the small-cell rule of every other page.

    Records without a device id (``None`` or ``""``: older apps, uploads by hand) are one
    line. Counts of 1 to 4 are n<5, with complementary suppression since the manager's
    dashboard shows the campaign's total, and ``why`` says which case hides a count. A hidden
    count's last upload is given as a date only: the minute of the upload of one of a few
    records points at the person who answered.
    """
    stored = EncryptedSubmission if campaign.encrypted else Submission
    rows = session.execute(
        select(stored.device_id, stored.uuid, stored.received_at).where(stored.campaign_id == campaign.id)
    ).all()
    merged: dict[str, dict[str, Any]] = {}
    for device, uuid, received in rows:
        entry = merged.setdefault(device or "", {"n": 0, "last": received, "fingerprint": 0})
        entry["n"] += 1
        entry["last"] = max(entry["last"], received)
        entry["fingerprint"] ^= uuid_fingerprint(str(uuid))
    counts = {device: entry["n"] for device, entry in merged.items()}
    shown = suppress_group(counts)
    why = why_hidden(counts, shown)
    lines = []
    for device, entry in merged.items():
        last: datetime = entry["last"]
        lines.append({
            "device": device or None, "count": shown[device], "why": why.get(device),
            "last": last.strftime("%Y-%m-%d %H:%M") if shown[device] is not None else last.strftime("%Y-%m-%d"),
            "fingerprint": format_fingerprint(entry["fingerprint"]) if device else None, "at": last,
        })  # fmt: skip
    return sorted(lines, key=lambda line: line["at"], reverse=True)
