"""Create manager-side users with hashed passwords."""

from __future__ import annotations

import re

from sqlmodel import Session, select
from werkzeug.security import generate_password_hash

from cips.models import Administration, Role, User, UserCreate
from cips.services import audit
from cips.services.messages import N_
from cips.services.passwords import check_secret

#: What an account's email must look like, for the CLI and the admin form alike: one ``@``,
#: no spaces, a dotted domain. Not a full RFC 5322 check: it keeps out what cannot be
#: a mailbox ("bad", "a@b") without refusing unusual but real addresses.
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


class UserExists(Exception):
    pass


def is_email(value: str) -> bool:
    return EMAIL.fullmatch(value) is not None


def check_administration(role: Role, administration_id: int | None) -> None:
    """Managers, enumerators and reviewers see only their administration's campaigns: without one they
    could sign in and do nothing. Administrators belong to none."""
    if role not in (Role.admin, Role.observer) and administration_id is None:
        raise ValueError(N_("a %(role)s account needs an administration (it sees only that "
                            "administration's campaigns)", role=role.value))  # fmt: skip


def create_user(session: Session, data: UserCreate, *, actor: str) -> User:
    email = data.email.strip().lower()
    if not is_email(email):
        raise ValueError(N_("%(email)s is not an email address (name@example.org)", email=repr(data.email)))
    if session.exec(select(User).where(User.email == email)).first():
        raise UserExists(N_("a user with email %(email)s already exists", email=email))
    if data.administration_id is not None and session.get(Administration, data.administration_id) is None:
        raise ValueError(N_("no administration with id %(id)s", id=str(data.administration_id)))
    check_secret(data.password, [email])  # WeakSecret, a ValueError
    check_administration(data.role, data.administration_id)
    user = User(
        email=email,
        role=data.role,
        administration_id=data.administration_id,
        is_active=data.is_active,
        password_hash=generate_password_hash(data.password),
    )
    session.add(user)
    audit.record(session, actor, "user.create", email, role=data.role.value)
    session.commit()
    return user


def update_user(
    session: Session, user: User, *, role: Role, administration_id: int | None, is_active: bool,
    password: str | None, actor: str,
) -> dict[str, object]:  # fmt: skip
    """Change a user's role, administration, active flag or password; audit what changed."""
    if administration_id is not None and session.get(Administration, administration_id) is None:
        raise ValueError(N_("no administration with id %(id)s", id=str(administration_id)))
    if password:
        check_secret(password, [user.email])  # WeakSecret, a ValueError
    if (role, administration_id) != (user.role, user.administration_id):
        check_administration(role, administration_id)  # a password reset alone never blocks on it
    changed: dict[str, object] = {}
    for name, value in (("role", role), ("administration_id", administration_id), ("is_active", is_active)):
        if getattr(user, name) != value:
            changed[name] = getattr(value, "value", value)
            setattr(user, name, value)
    if password:
        user.password_hash = generate_password_hash(password)
        changed["password"] = "reset"  # never the password itself
    if changed:
        # New role, administration, password or a deactivation: existing sessions end.
        user.session_version = (user.session_version or 0) + 1
        session.add(user)
        audit.record(session, actor, "user.update", user.email, **changed)
    session.commit()
    return changed
