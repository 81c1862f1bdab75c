"""Encrypted submissions: check the envelope's shape, store it as received, count it.

An envelope is what a device sends for an encrypted campaign (see ``crypto.js`` and
``cips.crypto.seal``)::

    {"uuid", "campaign", "instrument", "instrument_version", "alg",
     "key_wrapped", "iv", "ciphertext",              # base64: 384, 12, <= 700,000 bytes
     "strata"?: {item: value},                       # only the campaign's plaintext strata
     "device_id"?, "invite_token"?}                  # as in a plaintext submission

The server cannot read the answers, so it checks what it can: the shape and sizes,
the campaign and questionnaire version, the plaintext strata (declared and valid)
and the invitation token. Idempotency is the plaintext path's: the unique uuid, a
hash of the envelope to tell a retry (200) from a conflicting reuse (409).

A refused envelope comes back as a :class:`Refusal`; :mod:`cips.submissions.service`
quarantines it. On an encrypted campaign nothing may reach the database in clear, not even
a refusal: :func:`seal_refused` seals a refused body with the campaign key before it goes to
quarantine (``cips decrypt`` opens those too), so nothing is lost and nothing is readable.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid as uuid_lib
from itertools import islice
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from cips.crypto.seal import (
    ALG,
    IV_BYTES,
    MAX_CIPHERTEXT_BYTES,
    TAG_BYTES,
    WRAPPED_KEY_BYTES,
    load_public_pem,
    seal,
    unb64,
)
from cips.instruments.schema import ItemType
from cips.instruments.service import definition_of
from cips.models import Campaign, CampaignInstrument, EncryptedSubmission, Instrument, InviteToken
from cips.submissions import window
from cips.submissions.field_error import FieldError
from cips.submissions.invites import claim_invite, find_invite
from cips.submissions.payload import (
    INVITE_USED,
    MAX_VERSION,
    UUID_CONFLICT,
    Outcome,
    Refusal,
    pydantic_errors,
)

#: Keys only an envelope has: their presence routes a body here.
ENVELOPE_MARKERS = ("ciphertext", "key_wrapped")
NOT_ENCRYPTED = "this campaign is not encrypted: send the plaintext submission"
PLAINTEXT_REFUSED = "this campaign is encrypted: answers must arrive sealed (update the survey app)"

Short = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: uuid_lib.UUID
    campaign: Short
    instrument: Short
    instrument_version: int = Field(strict=True, ge=1, le=MAX_VERSION)  # as in SubmissionCreate (an INTEGER column)
    alg: str
    key_wrapped: str
    iv: str
    ciphertext: str
    strata: dict[Short, Any] | None = None
    device_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    invite_token: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None

    @field_validator("campaign", "instrument", "alg", "key_wrapped", "iv", "ciphertext", "device_id", "invite_token")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        # PostgreSQL text cannot hold NUL: refuse it here (400 with the field), not at the INSERT (500).
        if value is not None and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value

    @field_validator("strata")
    @classmethod
    def _no_nul_in_strata(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value and any("\x00" in key or (isinstance(v, str) and "\x00" in v) for key, v in value.items()):
            raise ValueError("strata must not contain NUL characters")
        return value

    def canonical_hash(self) -> str:
        """SHA-256 of what was sealed and declared; device id and token are left out, as for plaintext."""
        data = self.model_dump(mode="json", exclude={"uuid", "device_id", "invite_token"})
        data["strata"] = data.get("strata") or {}
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_envelope(data: dict[str, Any]) -> bool:
    return any(key in data for key in ENVELOPE_MARKERS)


def _shape_errors(env: Envelope) -> list[FieldError]:
    errors = []
    if env.alg != ALG:
        errors.append(FieldError("alg", f"expected {ALG}"))
    expected = {"key_wrapped": (WRAPPED_KEY_BYTES, WRAPPED_KEY_BYTES), "iv": (IV_BYTES, IV_BYTES),
                "ciphertext": (TAG_BYTES + 1, MAX_CIPHERTEXT_BYTES)}  # fmt: skip
    for name, (low, high) in expected.items():
        value = getattr(env, name)
        # Cheap bound before decoding: base64 is 4 characters per 3 bytes.
        if len(value) > (high + 2) // 3 * 4:
            errors.append(FieldError(name, f"more than {high} bytes"))
            continue
        try:
            size = len(unb64(value))
        except ValueError:
            errors.append(FieldError(name, "not valid base64"))
            continue
        if not low <= size <= high:
            errors.append(FieldError(name, f"{size} bytes; expected {low}" + (f" to {high}" if high != low else "")))
    return errors


def _strata_errors(env: Envelope, campaign: Campaign, instrument: Instrument) -> tuple[int, list[FieldError]]:
    """Undeclared strata are a 400 (never accepted in clear); a bad value of a declared one a 422."""
    if not env.strata:
        return 0, []
    declared = set(campaign.plaintext_strata or [])
    undeclared = [FieldError(f"strata.{k}", "not a plaintext stratum of this campaign") for k in env.strata
                  if k not in declared]  # fmt: skip
    if undeclared:
        return 400, undeclared
    items = definition_of(instrument).item_map()
    errors = []
    for item_id, value in env.strata.items():
        item = items.get(item_id)
        if item is None or item.type is not ItemType.single:
            errors.append(FieldError(f"strata.{item_id}", "not a single-choice item of this questionnaire version"))
        elif not isinstance(value, str) or value not in {c.value for c in item.choices or []}:  # a list: unhashable
            errors.append(FieldError(f"strata.{item_id}", f"expected one of {sorted(c.value for c in item.choices)}"))
    return 422, errors


def ingest_envelope(session: Session, data: dict[str, Any]) -> Outcome | Refusal:
    """Validate and store one envelope: the answer when stored, else why it is refused."""
    try:
        env = Envelope.model_validate(data)
    except ValidationError as exc:
        return Refusal(400, "invalid envelope", pydantic_errors(exc.errors()))
    errors = _shape_errors(env)
    if errors:
        return Refusal(400, "invalid envelope", errors)
    campaign = session.exec(select(Campaign).where(Campaign.slug == env.campaign)).first()
    if campaign is None:
        return Refusal(422, "invalid submission", [FieldError("campaign", "unknown campaign")])
    if not campaign.encrypted:
        return Refusal(400, "invalid envelope", [FieldError("campaign", NOT_ENCRYPTED)])
    instrument = session.exec(
        select(Instrument)
        .join(CampaignInstrument, CampaignInstrument.instrument_id == Instrument.id)
        .where(CampaignInstrument.campaign_id == campaign.id, Instrument.key == env.instrument,
               Instrument.version == env.instrument_version)
    ).first()  # fmt: skip
    if instrument is None:
        msg = f"{env.instrument} version {env.instrument_version} is not part of this campaign"
        return Refusal(422, "invalid submission", [FieldError("instrument_version", msg)])
    closed = window.refusal(campaign.status, campaign.closed_at, campaign.closes_at, campaign.late_grace_days, None)
    if closed is not None:  # the finish time is sealed: only the grace period can be checked
        if window.already_stored(session, EncryptedSubmission, env.uuid, env.canonical_hash()):
            return Outcome.stored_as(env.uuid, first_time=False)
        return Refusal(window.STATUS, "campaign not accepting submissions", [closed])
    status, errors = _strata_errors(env, campaign, instrument)
    if errors:
        return Refusal(status, "invalid envelope" if status == 400 else "invalid submission", errors)
    invite, invite_error = find_invite(session, campaign.id, campaign.invite_only, env.invite_token)
    if invite_error:
        return Refusal(422, "invalid submission", [invite_error])
    if invite is not None and invite.used_by_uuid not in (None, env.uuid):
        return Refusal(409, INVITE_USED, [FieldError("invite_token", INVITE_USED)])
    return _store(session, env, campaign, instrument, invite)


def _store(
    session: Session, env: Envelope, campaign: Campaign, instrument: Instrument, invite: InviteToken | None
) -> Outcome | Refusal:
    """One transaction: the envelope row and the invitation claim if any."""
    digest = env.canonical_hash()
    row = EncryptedSubmission(
        uuid=env.uuid, campaign_id=campaign.id, instrument_id=instrument.id, device_id=env.device_id, alg=env.alg,
        key_wrapped=env.key_wrapped, iv=env.iv, ciphertext=env.ciphertext, strata=env.strata or {},
        payload_hash=digest,
    )  # fmt: skip
    try:
        session.add(row)
        session.flush()
        if invite is not None and not claim_invite(session, invite, env.uuid):
            session.rollback()
            return Refusal(409, INVITE_USED, [FieldError("invite_token", INVITE_USED)])
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.exec(
            select(EncryptedSubmission.payload_hash).where(EncryptedSubmission.uuid == env.uuid)
        ).first()
        if existing is None:
            raise
        if existing == digest:
            return Outcome.stored_as(env.uuid, first_time=False)
        return Refusal(409, "uuid conflict", [FieldError("uuid", UUID_CONFLICT)])
    return Outcome.stored_as(env.uuid, first_time=True)


# ---------------------------------------------------------------- quarantine


#: A campaign slug in a body that is not valid JSON (bare quotes only: an escaped one is inside a string).
CLAIMED_CAMPAIGN = re.compile(rb'"campaign"\s*:\s*"([^"\\\x00]{1,64})"')


def seal_refused(session: Session, raw: bytes, data: Any) -> tuple[bytes, str | None]:
    """The body to keep in quarantine and the campaign it was sealed for (None: kept as received).

    Sealed with the campaign key when the campaign is encrypted: a refused body may hold
    answers in clear (an old app posting plaintext, undeclared strata), and on an encrypted
    campaign the server must not keep them readable. Sealed the way devices seal, it stays
    whole and only the key holder opens it.
    """
    if isinstance(data, dict) and isinstance(data.get("campaign"), str):
        slugs = [data["campaign"]]
    else:
        # Not JSON (cut short, corrupted) or not a submission's shape: the campaigns it names are
        # found in its bytes, so a plaintext body for an encrypted campaign is not kept readable.
        found = (m.group(1).decode("utf-8", "replace") for m in CLAIMED_CAMPAIGN.finditer(raw))
        slugs = list(dict.fromkeys(islice(found, 5)))
    for slug in slugs:
        row = session.exec(select(Campaign.encrypted, Campaign.public_key).where(Campaign.slug == slug)).first()
        if row is not None and row[0] and row[1]:
            sealed = {"sealed": "quarantined body", "campaign": slug, **seal(raw, load_public_pem(row[1]))}
            return json.dumps(sealed).encode("utf-8"), slug
    return raw, None


def is_sealed_body(raw: bytes) -> dict[str, Any] | None:
    """The sealed-body object of a quarantined row, or None (a plain body)."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # any body refused at ingest: "[[[[…" too
        return None
    return data if isinstance(data, dict) and data.get("sealed") == "quarantined body" else None
