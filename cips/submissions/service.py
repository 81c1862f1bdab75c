"""Ingest one submission: validate, store in one transaction, or quarantine verbatim.

This is the single write path for answers: the JSON API (and so the PWA), the
server-rendered form and the demo generator all call :func:`ingest_body`.
Idempotency rests on the unique constraint on ``submission.uuid`` (insert first,
look only on conflict), so concurrent retries of one record cannot create two rows.
An invitation token is claimed in the same transaction as the submission it lets
in, by a conditional UPDATE, so two different submissions cannot share one token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from cips.instruments.service import definition_of
from cips.models import (
    Answer,
    Campaign,
    CampaignInstrument,
    Instrument,
    InviteToken,
    QuarantinedSubmission,
    Submission,
    utcnow,
)
from cips.services.invites import hash_token
from cips.submissions.payload import FieldError, SubmissionCreate, pydantic_errors, validate_answers

JSON_TYPES = ("application/json",)
#: Shown to the respondent by the PWA (and in quarantine): a second submission with one link.
INVITE_USED = "this invitation link has already been used"


@dataclass
class Outcome:
    """What the caller answers: an HTTP status and a JSON body."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def stored(self) -> bool:
        return self.status in (200, 201)


def _claimed(data: Any, key: str) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    return str(value)[:64] if isinstance(value, str | int) else None


def quarantine(
    session: Session,
    raw: bytes,
    *,
    status: int,
    reason: str,
    errors: list[FieldError] | None = None,
    content_type: str | None = None,
    data: Any = None,
    body_size: int | None = None,
    truncated: bool = False,
) -> Outcome:
    """Keep a refused body byte for byte and build the matching error answer."""
    errors = errors or []
    first_field = errors[0].field if errors else None
    row = QuarantinedSubmission(
        reason=reason if not errors else f"{reason}: " + "; ".join(f"{e.field}: {e.message}" for e in errors[:20]),
        field=first_field[:200] if first_field else None,
        status_code=status,
        claimed_uuid=_claimed(data, "uuid"),
        claimed_campaign=_claimed(data, "campaign"),
        content_type=(content_type or "")[:200] or None,
        body_size=len(raw) if body_size is None else body_size,
        truncated=truncated,
        raw_body=raw,
    )
    session.add(row)
    session.commit()
    body: dict[str, Any] = {"error": reason, "field": first_field, "quarantine_id": row.id}
    if errors:
        body["errors"] = [e.as_dict() for e in errors[:100]]
    return Outcome(status, body)


def _find_target(session: Session, payload: SubmissionCreate) -> tuple[Campaign | None, Instrument | None]:
    campaign = session.exec(select(Campaign).where(Campaign.slug == payload.campaign)).first()
    if campaign is None:
        return None, None
    instrument = session.exec(
        select(Instrument)
        .join(CampaignInstrument, CampaignInstrument.instrument_id == Instrument.id)
        .where(
            CampaignInstrument.campaign_id == campaign.id,
            Instrument.key == payload.instrument,
            Instrument.version == payload.instrument_version,
        )
    ).first()
    return campaign, instrument


def ingest_body(
    session: Session,
    raw: bytes,
    content_type: str | None = "application/json",
    *,
    max_bytes: int,
    body_size: int | None = None,
    truncated: bool = False,
) -> Outcome:
    """Validate and store one raw request body; anything refused is quarantined."""
    size = len(raw) if body_size is None else body_size

    def refuse(status: int, reason: str, errors: list[FieldError] | None = None, data: Any = None) -> Outcome:
        return quarantine(
            session, raw, status=status, reason=reason, errors=errors, content_type=content_type,
            data=data, body_size=size, truncated=truncated,
        )  # fmt: skip

    if size > max_bytes:
        return refuse(413, "body too large", [FieldError("body", f"{size} bytes; the limit is {max_bytes}")])
    mimetype = (content_type or "").split(";")[0].strip().lower()
    if mimetype not in JSON_TYPES:
        return refuse(415, "unsupported content type", [FieldError("content_type", "send application/json")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return refuse(400, "body is not UTF-8", [FieldError("body", f"invalid byte at position {exc.start}")])
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f"line {exc.lineno}, column {exc.colno}: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else ""
        return refuse(400, "malformed JSON", [FieldError("body", where or "nested too deeply")])
    if not isinstance(data, dict):
        return refuse(422, "invalid submission", [FieldError("body", "expected a JSON object")], data)
    try:
        payload = SubmissionCreate.model_validate(data)
    except ValidationError as exc:
        return refuse(422, "invalid submission", pydantic_errors(exc.errors()), data)

    campaign, instrument = _find_target(session, payload)
    if campaign is None:
        return refuse(422, "invalid submission", [FieldError("campaign", "unknown campaign")], data)
    if instrument is None:
        msg = f"{payload.instrument} version {payload.instrument_version} is not part of this campaign"
        return refuse(422, "invalid submission", [FieldError("instrument_version", msg)], data)
    definition = definition_of(instrument)
    errors: list[FieldError] = []
    if payload.language not in campaign.languages or payload.language not in definition.languages:
        errors.append(FieldError("language", f"not offered by this campaign ({', '.join(campaign.languages)})"))
    invite, invite_error = _find_invite(session, campaign, payload)
    if invite_error:
        errors.append(invite_error)
    rows, answer_errors = validate_answers(definition, payload.answers)
    errors.extend(answer_errors)
    if errors:
        return refuse(422, "invalid submission", errors, data)
    if invite is not None and invite.used_by_uuid not in (None, payload.uuid):
        return refuse(409, INVITE_USED, [FieldError("invite_token", INVITE_USED)], data)
    return _store(session, payload, campaign, instrument, rows, refuse, data, invite)


def _find_invite(
    session: Session, campaign: Campaign, payload: SubmissionCreate
) -> tuple[InviteToken | None, FieldError | None]:
    """The campaign's invitation named by the payload, or the error to report."""
    if payload.invite_token is None:
        if campaign.invite_only:
            return None, FieldError("invite_token", "this survey can only be answered with an invitation link")
        return None, None
    invite = session.exec(
        select(InviteToken).where(
            InviteToken.token_hash == hash_token(payload.invite_token), InviteToken.campaign_id == campaign.id
        )
    ).first()
    if invite is None:
        return None, FieldError("invite_token", "unknown invitation link")
    return invite, None


def _claim_invite(session: Session, invite: InviteToken, payload: SubmissionCreate) -> bool:
    """Mark the token used by this uuid, unless another submission got there first."""
    if invite.used_by_uuid == payload.uuid:
        return True
    result = session.execute(
        update(InviteToken)
        .where(InviteToken.id == invite.id, InviteToken.used_by_uuid.is_(None))
        .values(used_by_uuid=payload.uuid, used_at=utcnow())
    )
    return result.rowcount == 1


def _store(session, payload, campaign, instrument, rows, refuse, data, invite=None) -> Outcome:
    digest = payload.canonical_hash()
    submission = Submission(
        uuid=payload.uuid,
        campaign_id=campaign.id,
        instrument_id=instrument.id,
        device_id=payload.device_id,
        language=payload.language,
        started_at=payload.started_at,
        submitted_at=payload.submitted_at,
        payload_hash=digest,
    )
    try:
        session.add(submission)
        session.flush()
        if rows:
            session.execute(
                insert(Answer),
                [
                    {"submission_id": submission.id, "item_id": r.item_id, "value_num": r.value_num,
                     "value_text": r.value_text}
                    for r in rows
                ],
            )  # fmt: skip
        if invite is not None and not _claim_invite(session, invite, payload):
            # A different uuid claimed the token between our read and our write.
            session.rollback()
            return refuse(409, INVITE_USED, [FieldError("invite_token", INVITE_USED)], data)
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.exec(select(Submission.payload_hash).where(Submission.uuid == payload.uuid)).first()
        if existing is None:
            raise
        if existing == digest:
            return Outcome(200, {"uuid": str(payload.uuid), "status": "stored"})
        conflict = FieldError("uuid", "already stored with different content")
        return refuse(409, "uuid conflict", [conflict], data)
    return Outcome(201, {"uuid": str(payload.uuid), "status": "stored"})


def ingest_payload(session: Session, data: dict[str, Any], *, max_bytes: int) -> Outcome:
    """Ingest a payload built in Python (web form, demo) through the same path."""
    raw = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    return ingest_body(session, raw, "application/json", max_bytes=max_bytes)
