"""``cips user``: manager-side accounts."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from pydantic import ValidationError
from sqlmodel import select

from cips.extensions import db
from cips.models import Role, User, UserCreate
from cips.services import two_factor
from cips.services.campaigns import administration_names, get_or_create_administration
from cips.services.passwords import secret_problem
from cips.services.users import UserExists, create_user, update_user


@click.group("user")
def user_group() -> None:
    """Users of the manager side."""


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--administration", help="Name of the user's administration (created if new).")
@click.password_option(help="Prompted (hidden, twice) when not given.")
@with_appcontext
def create(email: str, role: str, administration: str | None, password: str) -> None:
    """Create a user with ROLE; the password is prompted."""
    _check_password(password, email)
    if administration is not None and not administration.strip():
        raise click.BadParameter("the administration name must not be empty", param_hint="--administration")
    session = db.session
    name = administration.strip() if administration else None
    known = administration_names(session)
    admin_id = get_or_create_administration(session, name).id if name else None
    try:
        data = UserCreate(email=email, role=Role(role), administration_id=admin_id, password=password)
        user = create_user(session, data, actor="cli")
    except ValidationError as exc:
        session.rollback()
        msgs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise click.ClickException(msgs) from exc
    except (UserExists, ValueError) as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from exc
    if name and name not in known:
        # Created if new, as documented; said aloud so that a mistyped name does not pass unseen.
        click.echo(f"administration {name!r} created (existing: {', '.join(map(repr, known)) or 'none'})")
    click.echo(f"created {user.role.value} {user.email}")


@user_group.command("set-password")
@click.argument("email")
@click.password_option(help="Prompted (hidden, twice) when not given.")
@with_appcontext
def set_password(email: str, password: str) -> None:
    """Set a new password for user EMAIL (their signed-in sessions end)."""
    session = db.session
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise click.ClickException(f"no user with email {email.strip().lower()}")
    _check_password(password, user.email)
    update_user(session, user, role=user.role, administration_id=user.administration_id, is_active=user.is_active,
                password=password, actor="cli")  # fmt: skip
    click.echo(f"password of {user.email} changed")


def _check_password(password: str, email: str) -> None:
    """The password rule, refused before anything is stored, naming the parameter."""
    problem = secret_problem(password, [email.strip().lower()])
    if problem is not None:
        raise click.BadParameter(problem, param_hint="password")


@user_group.command("reset-2fa")
@click.argument("email")
@with_appcontext
def reset_2fa(email: str) -> None:
    """Remove user EMAIL's second factor (a lost phone): they enrol again at their next sign-in."""
    session = db.session
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise click.ClickException(f"no user with email {email.strip().lower()}")
    if not two_factor.remove(session, user, actor="cli", action="auth.2fa_reset"):
        raise click.ClickException(f"{user.email} has no second factor")
    click.echo(f"second factor of {user.email} removed; their sessions ended")
