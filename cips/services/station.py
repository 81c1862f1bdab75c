"""The enumerator PIN of a survey station (campaign mode ``station``).

The PIN is a **privacy lock on a shared tablet**, not an authentication secret: it
stops the next respondent from opening the station menu (sync status, language
default, exit). The tablet must check it offline, so the campaign document served
to every device carries a salted PBKDF2-SHA256 verifier that the browser checks
with WebCrypto. Anyone who fetches that document can brute-force a 4–8 digit PIN
offline; that is accepted because the PIN grants nothing on the server (uploads
are authenticated by their uuid, never by the PIN) and protects only what is on
one device's screen. Never reuse a PIN as a password.
"""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session
from werkzeug.security import check_password_hash, generate_password_hash

from cips.models import Campaign, CampaignMode
from cips.services import audit
from cips.services.campaigns import CampaignError, get_campaign
from cips.services.messages import N_

PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
#: PBKDF2 rounds: the PIN space (≤ 10^8) bounds an attacker far more than this does,
#: so it is sized for a quick unlock on a cheap tablet rather than for passwords.
PIN_ITERATIONS = 200_000
PIN_METHOD = f"pbkdf2:sha256:{PIN_ITERATIONS}"


def set_station_pin(session: Session, slug: str, pin: str | None, *, actor: str) -> Campaign:
    """Set (or with ``pin=None`` clear) the enumerator PIN of station campaign ``slug``."""
    campaign = get_campaign(session, slug)
    if campaign.mode is not CampaignMode.station:
        # A campaign is in station mode or online mode: one sentence, without a mode name to translate.
        raise CampaignError(N_("campaign %(slug)s is in online mode; a PIN is for station mode", slug=repr(slug)))
    if pin is not None and not PIN_PATTERN.match(pin):
        raise CampaignError(N_("the PIN must be 4 to 8 digits"))
    campaign.station_pin_hash = generate_password_hash(pin, method=PIN_METHOD) if pin is not None else None
    session.add(campaign)
    audit.record(session, actor, "campaign.set_pin" if pin is not None else "campaign.clear_pin", slug)
    session.commit()
    return campaign


def check_station_pin(campaign: Campaign, pin: str) -> bool:
    return campaign.station_pin_hash is not None and check_password_hash(campaign.station_pin_hash, pin)


def pin_verifier(campaign: Campaign) -> dict[str, Any] | None:
    """The stored hash split into what WebCrypto's PBKDF2 needs; ``None`` without a PIN.

    werkzeug writes ``pbkdf2:sha256:ITERATIONS$SALT$HEX`` where HEX is
    PBKDF2-HMAC-SHA256(pin, salt as UTF-8, ITERATIONS), 32 bytes.
    """
    if not campaign.station_pin_hash:
        return None
    method, salt, digest = campaign.station_pin_hash.split("$", 2)
    name, hash_name, iterations = method.split(":")
    if name != "pbkdf2" or hash_name != "sha256":  # pragma: no cover - only PIN_METHOD is ever written
        raise ValueError(f"unsupported PIN hash method {method!r}")
    return {"algorithm": "PBKDF2-SHA256", "iterations": int(iterations), "salt": salt, "hash": digest}
