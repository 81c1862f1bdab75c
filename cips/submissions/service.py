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
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, bindparam
from sqlmodel import Session, select

from cips.instruments.schema import Instrument as Definition
from cips.instruments.service import cached_definition, definition_of
from cips.models import (
    Campaign,
    CampaignInstrument,
    Instrument,
    QuarantinedSubmission,
    Submission,
    SubmissionStatus,
    utcnow,
)
from cips.submissions import direct, window
from cips.submissions.budget import QUARANTINE_FULL, QuarantineBudget
from cips.submissions.envelope import PLAINTEXT_REFUSED, ingest_envelope, is_envelope, seal_refused
from cips.submissions.field_error import FieldError
from cips.submissions.invites import InviteTaken, claim_params, find_invite
from cips.submissions.paradata import paradata_errors, paradata_json
from cips.submissions.payload import (
    INVITE_USED,
    LONE_SURROGATE,
    SURROGATE_MESSAGE,
    UUID_CONFLICT,
    Outcome,
    Refusal,
    SubmissionCreate,
    language_error,
    pydantic_errors,
    surrogate_field,
    validate_answers,
)

JSON_TYPES = ("application/json",)


def _clean(text: str | None, limit: int | None = None) -> str | None:
    """Text for a quarantine column: PostgreSQL text cannot hold NUL, which hostile input may contain,
    and no UTF-8 column a lone surrogate (``"\\udc80"`` in JSON): it becomes U+FFFD (the raw body keeps it)."""
    if text is None:
        return None
    return LONE_SURROGATE.sub("\ufffd", text.replace("\x00", "\\x00"))[:limit]


def _claimed(data: Any, key: str) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    return _clean(str(value), 64) if isinstance(value, str | int) else None


def _sealable(data: Any) -> Any:
    """``data`` for the campaign lookup of :func:`seal_refused`; None when its slug cannot name a campaign.

    A slug holding NUL or a lone surrogate matches no campaign, and neither can be sent to the
    database even in a comparison.
    """
    slug = data.get("campaign") if isinstance(data, dict) else None
    return None if isinstance(slug, str) and ("\x00" in slug or LONE_SURROGATE.search(slug)) else data


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
    budget: QuarantineBudget | None = None,
) -> Outcome:
    """Keep a refused body byte for byte and build the matching error answer.

    With a ``budget`` (requests from the network), a body that would overspend it is not kept:
    the answer is ``503`` with ``retry_after``, the refusal's reasons still listed, and the
    client keeps its record (see :mod:`cips.submissions.budget`).
    """
    errors = errors or []
    first_field = errors[0].field if errors else None
    detail = f"{reason}: " + "; ".join(f"{e.field}: {e.message}" for e in errors[:20]) if errors else reason
    kept, sealed_for = seal_refused(session, raw, _sealable(data))  # encrypted campaign: sealed, never in clear
    if budget is not None:
        wait = budget.admit(session, len(kept))
        if wait is not None:
            body: dict[str, Any] = {"error": QUARANTINE_FULL, "field": first_field or "body", "refusal": reason}
            if errors:
                body["errors"] = [e.as_dict() for e in errors[:100]]
            return Outcome(503, body, retry_after=wait)
    # A body sealed for a campaign belongs to it even when it was not JSON (the key holder's decrypt lists it).
    campaign = _claimed(data, "campaign") or sealed_for
    row = QuarantinedSubmission(
        reason=_clean(detail),
        field=_clean(first_field, 200) or None,
        status_code=status,
        claimed_uuid=_claimed(data, "uuid"),
        claimed_campaign=campaign,
        content_type=_clean(content_type, 200) or None,
        body_size=len(raw) if body_size is None else body_size,
        truncated=truncated,
        raw_body=kept,
    )
    session.add(row)
    session.commit()
    body = {"error": reason, "field": first_field, "quarantine_id": row.id}
    if errors:
        body["errors"] = [e.as_dict() for e in errors[:100]]
    return Outcome(status, body)


@dataclass(frozen=True)
class Target:
    """What the write path needs of a campaign and the instrument version a payload names."""

    campaign_id: int
    languages: list[str]
    invite_only: bool
    instrument_id: int | None
    content_hash: str | None
    encrypted: bool = False  # plaintext answers are refused
    status: str = "open"
    closed_at: datetime | None = None
    closes_at: datetime | None = None
    late_grace_days: int = 0


#: One round trip instead of two ORM queries: just the columns the write path reads. Not
#: cached across requests on purpose: a manager may change a campaign's languages or
#: invitation rule in another worker process, and this query costs well under a millisecond.
_TARGET = (
    select(Campaign.id, Campaign.languages, Campaign.invite_only, Instrument.id, Instrument.content_hash,
           Campaign.encrypted, Campaign.status, Campaign.closed_at, Campaign.closes_at, Campaign.late_grace_days)
    .select_from(Campaign)
    .outerjoin(CampaignInstrument, CampaignInstrument.campaign_id == Campaign.id)
    .outerjoin(Instrument, and_(Instrument.id == CampaignInstrument.instrument_id,
                                Instrument.key == bindparam("key"), Instrument.version == bindparam("version")))
    .where(Campaign.slug == bindparam("slug"))
)  # fmt: skip


def _writer(session: Session) -> direct.DirectWriter:
    return direct.writer_for(session.get_bind(), _TARGET)


def _find_target(session: Session, payload: SubmissionCreate) -> Target | None:
    params = {"slug": payload.campaign, "key": payload.instrument, "version": payload.instrument_version}
    rows = _writer(session).lookup(params)
    if not rows:
        return None
    # One row per instrument of the campaign; the one that matched the payload has an id.
    row = next((r for r in rows if r[3] is not None), rows[0])
    to_datetime = _utc_reader(session)
    return Target(row[0], list(row[1] or []), bool(row[2]), row[3], row[4], bool(row[5]), str(row[6]),
                  to_datetime(row[7]), to_datetime(row[8]), int(row[9]))  # fmt: skip


@lru_cache(maxsize=4)
def _utc_reader_for(dialect: Any) -> Any:
    process = Campaign.__table__.c.closed_at.type.dialect_impl(dialect).result_processor(dialect, None)
    return process or (lambda value: value)


def _utc_reader(session: Session) -> Any:
    """The write path's lookup returns DBAPI values: a UTC datetime column as the ORM would read it."""
    return _utc_reader_for(session.get_bind().dialect)


def _definition(session: Session, target: Target) -> Definition:
    """The parsed questionnaire, read from the database only the first time per process."""
    cached = cached_definition(target.content_hash or "")
    if cached is not None:
        return cached
    return definition_of(session.get(Instrument, target.instrument_id))


def ingest_body(
    session: Session,
    raw: bytes,
    content_type: str | None = "application/json",
    *,
    max_bytes: int,
    body_size: int | None = None,
    truncated: bool = False,
    budget: QuarantineBudget | None = None,
) -> Outcome:
    """Validate and store one raw request body; anything refused is quarantined (within ``budget``, if given).

    The submission is committed on the write path's own connection (:mod:`cips.submissions.direct`),
    not in ``session``'s transaction: call it with no pending writes in ``session``.
    """
    size = len(raw) if body_size is None else body_size

    def refuse(status: int, reason: str, errors: list[FieldError] | None = None, data: Any = None) -> Outcome:
        return quarantine(
            session, raw, status=status, reason=reason, errors=errors, content_type=content_type,
            data=data, body_size=size, truncated=truncated, budget=budget,
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
    except (ValueError, RecursionError) as exc:  # ValueError also: an integer of more than 4,300 digits
        if isinstance(exc, json.JSONDecodeError):
            where = f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
        else:
            where = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return refuse(400, "malformed JSON", [FieldError("body", where)])
    if not isinstance(data, dict):
        return refuse(422, "invalid submission", [FieldError("body", "expected a JSON object")], data)
    unstorable = surrogate_field(text, data)  # before any check that would hash or store the text
    if unstorable is not None:
        return refuse(422, "invalid submission", [FieldError(unstorable, SURROGATE_MESSAGE)], data)
    if is_envelope(data):  # an encrypted campaign's sealed submission: cips.submissions.envelope
        result = ingest_envelope(session, data)
        return refuse(result.status, result.reason, result.errors, data) if isinstance(result, Refusal) else result
    try:
        payload = SubmissionCreate.model_validate(data)
    except ValidationError as exc:
        return refuse(422, "invalid submission", pydantic_errors(exc.errors()), data)

    target = _find_target(session, payload)
    if target is None:
        return refuse(422, "invalid submission", [FieldError("campaign", "unknown campaign")], data)
    if target.instrument_id is None:
        msg = f"{payload.instrument} version {payload.instrument_version} is not part of this campaign"
        return refuse(422, "invalid submission", [FieldError("instrument_version", msg)], data)
    if target.encrypted:
        return refuse(400, "plaintext submission refused", [FieldError("answers", PLAINTEXT_REFUSED)], data)
    closed = window.refusal(target.status, target.closed_at, target.closes_at, target.late_grace_days,
                            payload.submitted_at)  # fmt: skip
    if closed is not None:
        if window.already_stored(session, Submission, payload.uuid, payload.canonical_hash()):
            return Outcome.stored_as(payload.uuid, first_time=False)
        return refuse(window.STATUS, "campaign not accepting submissions", [closed], data)
    definition = _definition(session, target)
    errors: list[FieldError] = []
    if (wrong_language := language_error(payload.language, target.languages, definition)) is not None:
        errors.append(wrong_language)
    invite, invite_error = find_invite(session, target.campaign_id, target.invite_only, payload.invite_token)
    if invite_error:
        errors.append(invite_error)
    rows, answer_errors = validate_answers(definition, payload.answers)
    errors.extend(answer_errors)
    errors.extend(paradata_errors(definition, payload.paradata))
    if errors:
        return refuse(422, "invalid submission", errors, data)
    if invite is not None and invite.used_by_uuid not in (None, payload.uuid):
        return refuse(409, INVITE_USED, [FieldError("invite_token", INVITE_USED)], data)
    return _store(session, payload, target, rows, refuse, data, invite)


def _store(session, payload, target, rows, refuse, data, invite=None) -> Outcome:
    """One transaction on the write path's connection: the submission, its answers, the invitation claim if any."""
    digest = payload.canonical_hash()
    values = {
        "uuid": payload.uuid, "campaign_id": target.campaign_id, "instrument_id": target.instrument_id,
        "device_id": payload.device_id, "language": payload.language, "started_at": payload.started_at,
        "submitted_at": payload.submitted_at, "received_at": utcnow(), "status": SubmissionStatus.stored,
        "payload_hash": digest, "paradata": paradata_json(payload.paradata),
    }  # fmt: skip
    claim = claim_params(invite, payload.uuid) if invite is not None else None
    try:
        existing = _writer(session).insert(values, rows, claim)
    except InviteTaken:  # a different uuid claimed the token between our read and our write
        return refuse(409, INVITE_USED, [FieldError("invite_token", INVITE_USED)], data)
    if existing is None or existing == digest:  # stored now, or a retry of a stored record
        return Outcome.stored_as(payload.uuid, first_time=existing is None)
    return refuse(409, "uuid conflict", [FieldError("uuid", UUID_CONFLICT)], data)


def ingest_payload(
    session: Session, data: dict[str, Any], *, max_bytes: int, budget: QuarantineBudget | None = None
) -> Outcome:
    """Ingest a payload built in Python (web form, demo) through the same path (see :func:`ingest_body`)."""
    raw = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    return ingest_body(session, raw, "application/json", max_bytes=max_bytes, budget=budget)
