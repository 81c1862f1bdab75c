"""One-time invitation tokens on the write path: find the one a body names, claim it once.

Shared by plaintext submissions and envelopes (the token travels in clear in both). A claim is
a conditional UPDATE in the same transaction as the rows it lets in, so two submissions can
never share one link: :data:`CLAIM` here for envelopes (the ORM session), compiled once by
:class:`cips.submissions.direct.DirectWriter` for plaintext submissions.
"""

from __future__ import annotations

import hashlib
import uuid as uuid_lib

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from cips.models import InviteToken, utcnow
from cips.submissions.field_error import FieldError
from cips.submissions.payload import INVITE_NEEDED, INVITE_UNKNOWN

#: Mark a token used by a submission, unless another one took it first (one row updated, or none).
CLAIM = (
    update(InviteToken)
    .where(InviteToken.id == bindparam("invite_id"), InviteToken.used_by_uuid.is_(None))
    .values(used_by_uuid=bindparam("uuid"), used_at=bindparam("used_at"))
)


class InviteTaken(Exception):
    """Another submission claimed the invitation between the check and the write."""


def hash_token(token: str) -> str:
    """What is stored of a token: its SHA-256 (a copy of the database cannot be used to answer)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_invite(
    session: Session, campaign_id: int, invite_only: bool, token: str | None
) -> tuple[InviteToken | None, FieldError | None]:
    """The campaign's invitation named by ``token``, or the error to report (none needed: None, None)."""
    if token is None:
        return None, FieldError("invite_token", INVITE_NEEDED) if invite_only else None
    invite = session.exec(
        select(InviteToken).where(InviteToken.token_hash == hash_token(token), InviteToken.campaign_id == campaign_id)
    ).first()
    return (invite, None) if invite is not None else (None, FieldError("invite_token", INVITE_UNKNOWN))


def claim_params(invite: InviteToken, uuid: uuid_lib.UUID) -> dict[str, object] | None:
    """The parameters of :data:`CLAIM` for ``uuid``, or None when the token is already its own (a retry)."""
    if invite.used_by_uuid == uuid:
        return None
    return {"invite_id": invite.id, "uuid": uuid, "used_at": utcnow()}


def claim_invite(session: Session, invite: InviteToken, uuid: uuid_lib.UUID) -> bool:
    """Claim ``invite`` for ``uuid`` in the session's transaction; False when another submission has it."""
    params = claim_params(invite, uuid)
    return params is None or session.execute(CLAIM, params).rowcount == 1
