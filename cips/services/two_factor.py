"""Second factor for manager-side accounts: TOTP (RFC 6238) and one-time recovery codes.

The TOTP secret is stored encrypted (Fernet) with a key derived by HKDF from the instance
secret (``SECRET_KEY``), so a copy of the database alone does not give the codes; it is shown
once, at enrolment, and never again. Recovery codes are random and shown once too; only
their password hashes are stored, and each is spent by its first use.

A code is accepted for the current 30-second step and one step either side (clock drift),
and never for a step at or before the last one accepted (a code seen over a shoulder or in a
proxy log cannot be replayed). Guesses are limited by the caller (``cips.auth.throttle``).
"""

from __future__ import annotations

import base64
import secrets

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from cips import clock
from cips.models import RecoveryCode, User
from cips.services import audit

ISSUER = "CIPS"
RECOVERY_CODES = 10
#: Steps either side of now that are still accepted: a phone's clock may be ~30 s off.
DRIFT_STEPS = 1


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"cips totp secret").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    """The TOTP secret as stored (also what a half-done enrolment keeps in the session)."""
    return _fernet().encrypt(secret.encode()).decode()


def unseal(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None  # sealed under another instance secret: the user must enrol again


def new_secret() -> str:
    return pyotp.random_base32()


def qr_data_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` URI as an SVG QR code in a ``data:`` URI (drawn here, no outside service;
    the page's CSP allows ``data:`` images and no inline script is needed)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5)


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step whose code is ``code``, within the drift, later than ``after``."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp, now = pyotp.TOTP(secret), clock.now()
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (after is None or step > after) and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def is_enrolled(user: User) -> bool:
    return user.totp_secret is not None


def enrol(session: Session, user: User, secret: str, code: str, *, actor: str) -> list[str] | None:
    """Switch the factor on if ``code`` is current for ``secret``; the new recovery codes (shown once)."""
    step = _matching_step(secret, code, None)
    if step is None:
        audit.record(session, actor, "auth.2fa_failed", user.email, stage="enrol")
        session.commit()
        return None
    user.totp_secret, user.totp_last_step = seal(secret), step
    codes = _replace_recovery_codes(session, user)
    session.add(user)
    audit.record(session, actor, "auth.2fa_enrolled", user.email)
    session.commit()
    return codes


def _replace_recovery_codes(session: Session, user: User) -> list[str]:
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    # Two groups of five hex digits, 40 random bits: typed from paper, unguessable at the rate limit.
    codes = [f"{secrets.token_hex(3)[:5]}-{secrets.token_hex(3)[:5]}" for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=generate_password_hash(code)))
    return codes


def verify(session: Session, user: User, code: str, *, actor: str) -> str | None:
    """Check a sign-in code: ``"totp"``, ``"recovery"`` (now spent) or None (audited as failed)."""
    secret = unseal(user.totp_secret) if user.totp_secret else None
    step = _matching_step(secret, code, user.totp_last_step) if secret else None
    if step is not None:
        user.totp_last_step = step
        session.add(user)
        session.commit()
        return "totp"
    typed = "".join(code.split()).lower()
    if len(typed) == 11:
        unused = select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        for row in session.exec(unused):
            if check_password_hash(row.code_hash, typed):
                row.used_at = clock.now()
                session.add(row)
                session.flush()
                left = len(session.exec(unused).all())
                audit.record(session, actor, "auth.2fa_recovery_used", user.email, left=left)
                session.commit()
                return "recovery"
    audit.record(session, actor, "auth.2fa_failed", user.email, stage="sign-in")
    session.commit()
    return None


def recovery_codes_left(session: Session, user: User) -> int:
    unused = select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    return len(session.exec(unused).all())


def remove(session: Session, user: User, *, actor: str, action: str = "auth.2fa_removed") -> bool:
    """Switch the factor off (the user enrols again); False if there was none."""
    if not is_enrolled(user):
        return False
    user.totp_secret = user.totp_last_step = None
    for row in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(row)
    user.session_version = (user.session_version or 0) + 1  # sessions opened with the old factor end
    session.add(user)
    audit.record(session, actor, action, user.email)
    session.commit()
    return True
