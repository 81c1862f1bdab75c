"""Create manager-side users with hashed passwords."""

from __future__ import annotations

from sqlmodel import Session, select
from werkzeug.security import generate_password_hash

from cips.models import Administration, User, UserCreate
from cips.services import audit


class UserExists(Exception):
    pass


def create_user(session: Session, data: UserCreate, *, actor: str) -> User:
    email = data.email.strip().lower()
    if session.exec(select(User).where(User.email == email)).first():
        raise UserExists(f"a user with email {email} already exists")
    if data.administration_id is not None and session.get(Administration, data.administration_id) is None:
        raise ValueError(f"no administration with id {data.administration_id}")
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
