"""People who sign in to the manager side (respondents never have accounts)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from cips.models.base import UTCDateTime, enum_column, utcnow


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    enumerator = "enumerator"
    #: Programme instance only: reads imported aggregates, nothing else.
    observer = "observer"
    #: Reads and codes the open answers of its administration's campaigns; no exports, no settings.
    reviewer = "reviewer"


class UserBase(SQLModel):
    email: str = Field(max_length=254, unique=True, index=True)
    role: Role = Field(sa_type=enum_column(Role))
    administration_id: int | None = Field(default=None, foreign_key="administration.id")
    is_active: bool = True
    #: Interface language chosen by the user (en/fr/es/pt); None follows the browser.
    locale: str | None = Field(default=None, max_length=8)


#: Length of a password or key-file passphrase, wherever one is set (OWASP ASVS 2.1: 12 or more, long
#: passphrases welcome); the rest of the rule (no common password) is cips.services.passwords.
PASSWORD_MIN, PASSWORD_MAX = 12, 200


class UserCreate(UserBase):
    password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


class User(UserBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=300)
    #: Part of the signed-in session's id: raising it ends every session of this user
    #: (sign-out, password change, deactivation), even a cookie copied elsewhere.
    session_version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: The TOTP secret of the second factor, encrypted with a key derived from the instance
    #: secret (cips.services.two_factor); None until the user has enrolled.
    totp_secret: str | None = Field(default=None, max_length=300)
    #: The last TOTP time step accepted: a code of that step or an earlier one is a replay.
    totp_last_step: int | None = Field(default=None, sa_type=BigInteger)


class RecoveryCode(SQLModel, table=True):
    """A one-time code that stands in for the TOTP code (a lost phone), stored hashed."""

    __tablename__ = "recovery_code"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=300)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
