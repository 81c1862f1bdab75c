"""``cips user``: manager-side accounts."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from pydantic import ValidationError

from cips.extensions import db
from cips.models import Role, UserCreate
from cips.services.campaigns import get_or_create_administration
from cips.services.users import UserExists, create_user


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
    session = db.session
    admin_id = get_or_create_administration(session, administration).id if administration else None
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
    click.echo(f"created {user.role.value} {user.email}")
